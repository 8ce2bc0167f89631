import type { LogEntry, LogLevel, LogQuery } from '@windhover/core';
import { BadRequestError, LOG_LEVELS } from '@windhover/core';
import type { ApiDeps } from '../api-deps';
import type { ApiRequest, Route } from '../http-types';
import { json, noContent, queryFilters, queryInt, queryOne } from '../request';

const BASE = '/api/v1/:tenant/logs';

function minLevel(v: string | undefined): LogLevel | undefined {
  if (v === undefined || v === '') return undefined;
  const up = v.toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(up)) throw new BadRequestError(`unknown log level '${v}'`);
  return up as LogLevel;
}

function executionLogQuery(req: ApiRequest, executionId: string): LogQuery {
  const level = minLevel(queryOne(req, 'minLevel'));
  const taskRunId = queryOne(req, 'taskRunId');
  const taskId = queryOne(req, 'taskId');
  return { executionId, ...(level ? { minLevel: level } : {}), ...(taskRunId ? { taskRunId } : {}), ...(taskId ? { taskId } : {}) };
}

/** Filters logs by attempt (1-based in the API), which the repository query does not know. */
function byAttempt(req: ApiRequest, logs: readonly LogEntry[]): readonly LogEntry[] {
  const attempt = queryInt(req, 'attempt', { min: 0 });
  return attempt === undefined ? logs : logs.filter((l) => l.attemptNumber === attempt);
}

/** Kestra's plain-text log line. */
const logLine = (l: LogEntry): string => `${l.timestamp} ${l.level.padEnd(5)} ${l.taskId ? `${l.taskId} ` : ''}${l.message}`;

export const logRoutes = (deps: ApiDeps): Route[] => [
  {
    method: 'GET',
    path: `${BASE}/search`,
    handle: async ({ request, params }) => {
      let namespace = queryOne(request, 'namespace');
      let flowId = queryOne(request, 'flowId');
      let level = minLevel(queryOne(request, 'minLevel'));
      let executionId: string | undefined;
      for (const f of queryFilters(request)) {
        const v = f.values[0] ?? '';
        if (f.field === 'NAMESPACE') namespace = v;
        else if (f.field === 'FLOW_ID') flowId = v;
        else if (f.field === 'MIN_LEVEL' || f.field === 'LEVEL') level = minLevel(v);
        else if (f.field === 'EXECUTION_ID') executionId = v;
        else if (f.field !== 'SCOPE') throw new BadRequestError(`unsupported log filter '${f.field}'`);
      }
      const page = queryInt(request, 'page', { min: 1 }) ?? 1;
      const size = queryInt(request, 'size', { min: 1, max: 10_000 }) ?? 10;
      const all = await deps.ports.logs.find(params['tenant'], {
        ...(namespace ? { namespace } : {}),
        ...(flowId ? { flowId } : {}),
        ...(level ? { minLevel: level } : {}),
        ...(executionId ? { executionId } : {}),
      });
      const newestFirst = [...all].reverse();
      return json(200, { results: newestFirst.slice((page - 1) * size, page * size), total: all.length });
    },
  },
  {
    method: 'GET',
    path: `${BASE}/:executionId`,
    handle: async ({ request, params }) => json(200, byAttempt(request, await deps.ports.logs.find(params['tenant'], executionLogQuery(request, params['executionId'])))),
  },
  {
    method: 'GET',
    path: `${BASE}/:executionId/download`,
    handle: async ({ request, params }) => {
      const logs = byAttempt(request, await deps.ports.logs.find(params['tenant'], executionLogQuery(request, params['executionId'])));
      return {
        status: 200,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'content-disposition': `attachment; filename="${params['executionId']}.log"` },
        body: logs.map((l) => `${logLine(l)}\n`).join(''),
      };
    },
  },
  {
    method: 'DELETE',
    path: `${BASE}/:executionId`,
    handle: async ({ params }) => {
      await deps.ports.logs.deleteByExecution(params['tenant'], params['executionId']);
      return noContent();
    },
  },
];
