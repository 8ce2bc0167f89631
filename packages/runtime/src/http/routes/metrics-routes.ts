import { ExecutionNotFoundError, STATE_TYPES } from '@windhover/core';
import type { ApiDeps } from '../api-deps';
import type { Route } from '../http-types';
import { json, queryInt, queryOne } from '../request';

/**
 * `/metrics` in Prometheus text format (executions by state, flows, process
 * memory), and Kestra's task metrics of an execution (`/api/v1/{tenant}/metrics/{executionId}`).
 */
export const metricsRoutes = (deps: ApiDeps): Route[] => [
  {
    method: 'GET',
    path: '/metrics',
    handle: async () => {
      const lines: string[] = ['# HELP windhover_executions Executions by current state.', '# TYPE windhover_executions gauge'];
      for (const state of STATE_TYPES) {
        const { total } = await deps.ports.executions.find('main', { states: [state], size: 1 });
        lines.push(`windhover_executions{tenant="main",state="${state}"} ${total}`);
      }
      const flows = await deps.ports.flows.list('main');
      lines.push('# HELP windhover_flows Live flows.', '# TYPE windhover_flows gauge', `windhover_flows{tenant="main"} ${flows.length}`);
      const mem = process.memoryUsage();
      lines.push(
        '# HELP process_resident_memory_bytes Resident memory size in bytes.',
        '# TYPE process_resident_memory_bytes gauge',
        `process_resident_memory_bytes ${mem.rss}`,
        '# HELP nodejs_heap_used_bytes V8 heap in use.',
        '# TYPE nodejs_heap_used_bytes gauge',
        `nodejs_heap_used_bytes ${mem.heapUsed}`,
      );
      return { status: 200, headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, body: `${lines.join('\n')}\n` };
    },
  },
  {
    method: 'GET',
    path: '/api/v1/:tenant/metrics/:executionId',
    handle: async ({ request, params }) => {
      const e = await deps.ports.executions.get(params['tenant'], params['executionId']);
      if (!e) throw new ExecutionNotFoundError(params['executionId']);
      const taskRunId = queryOne(request, 'taskRunId');
      const taskId = queryOne(request, 'taskId');
      const entries = e.taskRunList
        .filter((t) => (!taskRunId || t.id === taskRunId) && (!taskId || t.taskId === taskId))
        .flatMap((t) =>
          (t.attempts ?? []).flatMap((a) =>
            (a.metrics ?? []).map((m) => ({
              namespace: e.namespace,
              flowId: e.flowId,
              taskId: t.taskId,
              executionId: e.id,
              taskRunId: t.id,
              type: m.type,
              name: m.name,
              value: m.value,
              timestamp: a.state.endDate ?? a.state.startDate,
              tags: m.tags ?? {},
            })),
          ),
        );
      const page = queryInt(request, 'page', { min: 1 }) ?? 1;
      const size = queryInt(request, 'size', { min: 1, max: 10_000 }) ?? 10;
      return json(200, { results: entries.slice((page - 1) * size, page * size), total: entries.length });
    },
  },
];
