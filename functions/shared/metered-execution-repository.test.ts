import type { Execution, ExecutionQuery, ExecutionRepository, Page, TaskDefinition, TaskRun } from '@windhover/core';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES } from './env-names';
import { MeteredExecutionRepository, type MetricsSink, findTaskType } from './metered-execution-repository';

/** An in-memory repository: the decorator only needs get/save to pass through. */
class MemoryRepo implements ExecutionRepository {
  readonly items = new Map<string, Execution>();
  async get(_t: string, id: string) {
    return this.items.get(id);
  }
  async save(e: Execution, expected: number | undefined) {
    const stored = { ...e, version: (expected ?? 0) + 1 };
    this.items.set(e.id, stored);
    return stored;
  }
  async find(_t: string, _q: ExecutionQuery): Promise<Page<Execution>> {
    return { results: [...this.items.values()], total: this.items.size };
  }
  async delete(_t: string, id: string) {
    this.items.delete(id);
  }
}

const run = (id: string, state: TaskRun['state']['current'], start: string, end?: string): TaskRun => ({
  id,
  executionId: 'e1',
  namespace: 'ns',
  flowId: 'f',
  taskId: id,
  state: { current: state, histories: [], startDate: start, ...(end ? { endDate: end } : {}) },
});

const execution = (state: Execution['state']['current'], taskRunList: TaskRun[], end?: string): Execution => ({
  tenantId: 'main',
  id: 'e1',
  namespace: 'ns',
  flowId: 'f',
  flowRevision: 1,
  state: { current: state, histories: [], startDate: '2026-01-01T00:00:00.000Z', ...(end ? { endDate: end } : {}) },
  taskRunList,
  labels: [],
  originalId: 'e1',
  metadata: { attemptNumber: 1, originalCreatedDate: '2026-01-01T00:00:00.000Z' },
  deleted: false,
});

describe('MeteredExecutionRepository', () => {
  it('counts an execution start, each task run end and the execution end once, with durations', async () => {
    const recorded: string[] = [];
    const sink: MetricsSink = {
      count: (name, value, dims) => recorded.push(`${name}=${value}${dims ? JSON.stringify(dims) : ''}`),
      milliseconds: (name, value) => recorded.push(`${name}:${value}ms`),
    };
    const repo = new MeteredExecutionRepository(new MemoryRepo(), sink);
    const v1 = await repo.save(execution('CREATED', []), undefined);
    const t0 = '2026-01-01T00:00:00.000Z';
    const v2 = await repo.save(execution('RUNNING', [run('a', 'SUCCESS', t0, '2026-01-01T00:00:00.040Z'), run('b', 'RUNNING', t0)]), v1.version);
    // A retried save of the same state counts nothing new.
    const v3 = await repo.save(execution('RUNNING', [run('a', 'SUCCESS', t0, '2026-01-01T00:00:00.040Z'), run('b', 'RUNNING', t0)]), v2.version);
    await repo.save(
      execution('SUCCESS', [run('a', 'SUCCESS', t0, '2026-01-01T00:00:00.040Z'), run('b', 'FAILED', t0, '2026-01-01T00:00:00.100Z')], '2026-01-01T00:00:00.250Z'),
      v3.version,
    );
    expect(recorded).toEqual([
      `${METRIC_NAMES.EXECUTIONS_STARTED}=1`,
      `${METRIC_NAMES.TASK_RUNS_ENDED}=1{"state":"SUCCESS"}`,
      `${METRIC_NAMES.TASK_RUN_DURATION}:40ms`,
      `${METRIC_NAMES.EXECUTIONS_ENDED}=1{"state":"SUCCESS"}`,
      `${METRIC_NAMES.EXECUTION_DURATION}:250ms`,
      `${METRIC_NAMES.TASK_RUNS_ENDED}=1{"state":"FAILED"}`,
      `${METRIC_NAMES.TASK_RUN_DURATION}:100ms`,
    ]);
  });
});

describe('findTaskType', () => {
  it('finds a task nested in flowable tasks', () => {
    // Parsed from YAML, as the flow repository returns it (an object literal with `then` trips the linter).
    const tasks = JSON.parse(
      '[{"id":"if","type":"io.kestra.plugin.core.flow.If","then":[{"id":"sync","type":"io.kestra.plugin.git.SyncFlows"}],"else":[]},{"id":"log","type":"io.kestra.plugin.core.log.Log"}]',
    ) as TaskDefinition[];
    expect(findTaskType(tasks, 'sync')).toBe('io.kestra.plugin.git.SyncFlows');
    expect(findTaskType(tasks, 'log')).toBe('io.kestra.plugin.core.log.Log');
    expect(findTaskType(tasks, 'missing')).toBeUndefined();
  });
});
