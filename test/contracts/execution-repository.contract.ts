import type { Execution, ExecutionRepository, StateType } from '@windhover/core';
import { describe, expect, it } from 'vitest';

let counter = 0;

/** A minimal execution document; `id` defaults to a unique value. */
export function contractExecution(overrides: Partial<Execution> & { startDate?: string; stateType?: StateType } = {}): Execution {
  counter++;
  const id = overrides.id ?? `exec${Date.now().toString(36)}${counter}`;
  const startDate = overrides.startDate ?? '2026-01-01T00:00:00.000Z';
  const { startDate: _s, stateType, ...rest } = overrides;
  return {
    tenantId: 'main',
    id,
    namespace: 'company.team',
    flowId: 'hello',
    flowRevision: 1,
    state: { current: stateType ?? 'CREATED', histories: [{ state: stateType ?? 'CREATED', date: startDate }], startDate },
    taskRunList: [],
    labels: [{ key: 'system.correlationId', value: id }],
    originalId: id,
    metadata: { attemptNumber: 1, originalCreatedDate: startDate },
    deleted: false,
    ...rest,
  };
}

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code ?? 'NO_CODE';
  }
};

/** The ExecutionRepository contract; `makeRepo` returns an empty repository. */
export function describeExecutionRepositoryContract(name: string, makeRepo: () => Promise<ExecutionRepository>): void {
  describe(`ExecutionRepository contract: ${name}`, () => {
    it('creates an execution at version 1 and reads it back', async () => {
      const repo = await makeRepo();
      const e = contractExecution({ inputs: { name: 'World', n: 3 } });
      const saved = await repo.save(e, undefined);
      expect(saved.version).toBe(1);
      const got = await repo.get('main', e.id);
      expect(got?.version).toBe(1);
      expect(got?.inputs).toEqual({ name: 'World', n: 3 });
      expect(got?.state.current).toBe('CREATED');
      expect(await repo.get('main', 'does-not-exist')).toBeUndefined();
    });

    it('updates with the expected version and increments it', async () => {
      const repo = await makeRepo();
      const e = contractExecution();
      await repo.save(e, undefined);
      const running = { ...e, state: { ...e.state, current: 'RUNNING' as const } };
      expect((await repo.save(running, 1)).version).toBe(2);
      const got = await repo.get('main', e.id);
      expect(got?.state.current).toBe('RUNNING');
      expect(got?.version).toBe(2);
    });

    it('rejects a stale version and a second create with VERSION_CONFLICT', async () => {
      const repo = await makeRepo();
      const e = contractExecution();
      await repo.save(e, undefined);
      await repo.save({ ...e, state: { ...e.state, current: 'RUNNING' } }, 1);
      expect(await codeOf(repo.save({ ...e, state: { ...e.state, current: 'FAILED' } }, 1))).toBe('VERSION_CONFLICT');
      expect(await codeOf(repo.save(e, undefined))).toBe('VERSION_CONFLICT');
      expect((await repo.get('main', e.id))?.state.current).toBe('RUNNING');
    });

    it('lets exactly one of two concurrent saves of the same version win', async () => {
      const repo = await makeRepo();
      const e = contractExecution();
      await repo.save(e, undefined);
      const results = await Promise.allSettled([
        repo.save({ ...e, state: { ...e.state, current: 'RUNNING' } }, 1),
        repo.save({ ...e, state: { ...e.state, current: 'KILLED' } }, 1),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
      expect((await repo.get('main', e.id))?.version).toBe(2);
    });

    it('stores task runs and outputs intact', async () => {
      const repo = await makeRepo();
      const e = contractExecution();
      const withRuns: Execution = {
        ...e,
        outputs: { result: { nested: [1, 'two', null] } },
        taskRunList: [
          {
            id: 'tr1',
            executionId: e.id,
            namespace: e.namespace,
            flowId: e.flowId,
            taskId: 'hello',
            state: { current: 'SUCCESS', histories: [{ state: 'SUCCESS', date: e.state.startDate }], startDate: e.state.startDate },
            outputs: { value: 'hi' },
            value: '{"a":1}',
            iteration: 0,
          },
        ],
      };
      await repo.save(withRuns, undefined);
      const got = await repo.get('main', e.id);
      expect(got?.taskRunList).toEqual(withRuns.taskRunList);
      expect(got?.outputs).toEqual(withRuns.outputs);
    });

    it('finds executions by namespace, prefix, flow, state, labels, dates and parent', async () => {
      const repo = await makeRepo();
      const a = contractExecution({ namespace: 'q.team', flowId: 'one', stateType: 'SUCCESS', startDate: '2026-02-01T10:00:00.000Z', labels: [{ key: 'env', value: 'prod' }] });
      const b = contractExecution({ namespace: 'q.team.sub', flowId: 'two', stateType: 'FAILED', startDate: '2026-02-02T10:00:00.000Z', labels: [{ key: 'env', value: 'dev' }] });
      const c = contractExecution({ namespace: 'q.teamwork', flowId: 'one', stateType: 'RUNNING', startDate: '2026-02-03T10:00:00.000Z', parentId: a.id, labels: [] });
      for (const e of [a, b, c]) await repo.save(e, undefined);
      const ids = async (q: Parameters<ExecutionRepository['find']>[1]) => (await repo.find('main', q)).results.map((e) => e.id).sort();
      expect(await ids({ namespace: 'q.team' })).toEqual([a.id]);
      expect(await ids({ namespacePrefix: 'q.team' })).toEqual([a.id, b.id].sort());
      expect(await ids({ namespacePrefix: 'q', flowId: 'one' })).toEqual([a.id, c.id].sort());
      expect(await ids({ namespacePrefix: 'q', states: ['FAILED', 'RUNNING'] })).toEqual([b.id, c.id].sort());
      expect(await ids({ namespacePrefix: 'q', labels: { env: 'prod' } })).toEqual([a.id]);
      expect(await ids({ namespacePrefix: 'q', labels: { env: 'prod', other: 'x' } })).toEqual([]);
      expect(await ids({ namespacePrefix: 'q', startDate: '2026-02-01T12:00:00Z', endDate: '2026-02-02T23:00:00Z' })).toEqual([b.id]);
      expect(await ids({ namespacePrefix: 'q', startDate: '2026-02-02T11:00:00+01:00' })).toEqual([b.id, c.id].sort());
      expect(await ids({ parentId: a.id })).toEqual([c.id]);
    });

    it('pages results newest first with the total count', async () => {
      const repo = await makeRepo();
      const made = [];
      for (let i = 0; i < 5; i++) {
        const e = contractExecution({ namespace: 'paging.ns', startDate: `2026-03-0${i + 1}T00:00:00.000Z` });
        made.push(e);
        await repo.save(e, undefined);
      }
      const p1 = await repo.find('main', { namespace: 'paging.ns', page: 1, size: 2 });
      expect(p1.total).toBe(5);
      expect(p1.results.map((e) => e.id)).toEqual([made[4].id, made[3].id]);
      const p3 = await repo.find('main', { namespace: 'paging.ns', page: 3, size: 2 });
      expect(p3.results.map((e) => e.id)).toEqual([made[0].id]);
      const asc = await repo.find('main', { namespace: 'paging.ns', size: 2, sort: 'startDate:asc' });
      expect(asc.results.map((e) => e.id)).toEqual([made[0].id, made[1].id]);
      expect(asc.results[0]?.version).toBe(1);
    });

    it('deletes an execution and keeps tenants apart', async () => {
      const repo = await makeRepo();
      const e = contractExecution();
      const other = contractExecution({ tenantId: 'other', namespace: 'iso.ns' });
      await repo.save(e, undefined);
      await repo.save(other, undefined);
      expect(await repo.get('main', other.id)).toBeUndefined();
      expect((await repo.find('main', { namespace: 'iso.ns' })).total).toBe(0);
      await repo.delete('main', e.id);
      expect(await repo.get('main', e.id)).toBeUndefined();
      expect((await repo.get('other', other.id))?.tenantId).toBe('other');
    });
  });
}
