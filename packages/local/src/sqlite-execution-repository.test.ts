import type { Execution, TaskRun } from '@windhover/core';
import { describe, expect, it } from 'vitest';
import { contractExecution, describeExecutionRepositoryContract } from '../../../test/contracts/execution-repository.contract';
import { type SqliteDatabase, openSqliteDatabase } from './sqlite-database';
import { SqliteExecutionRepository } from './sqlite-execution-repository';

describeExecutionRepositoryContract('SqliteExecutionRepository', async () => new SqliteExecutionRepository(openSqliteDatabase(':memory:')));

/** A ForEach item task run as the engine writes it (state, attempt with metrics, outputs). */
function itemRun(e: Execution, i: number): TaskRun {
  const date = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString();
  const state = {
    current: 'SUCCESS' as const,
    histories: (['CREATED', 'RUNNING', 'SUCCESS'] as const).map((s) => ({ state: s, date })),
    startDate: date,
    endDate: date,
    duration: 'PT0S',
  };
  return {
    id: `run${i.toString(36).padStart(6, '0')}`,
    executionId: e.id,
    namespace: e.namespace,
    flowId: e.flowId,
    taskId: 'item',
    parentTaskRunId: 'each',
    value: `value-${i}`,
    iteration: i,
    attempts: [{ state, metrics: [{ name: 'length', type: 'counter', value: String(i).length + 6, tags: { format: '{{ taskrun.value }}' } }] }],
    outputs: { value: `value-${i}` },
    state,
  };
}

function withRuns(count: number, overrides: Parameters<typeof contractExecution>[0] = {}): Execution {
  const e = contractExecution(overrides);
  return { ...e, taskRunList: Array.from({ length: count }, (_, i) => itemRun(e, i)) };
}

/** One task run moved on by a state change, as an executor step does (a new object, the others kept). */
function changeRun(e: Execution, index: number): Execution {
  const taskRunList = e.taskRunList.map((r, i) =>
    i === index ? { ...r, state: { ...r.state, current: 'FAILED' as const, histories: [...r.state.histories, { state: 'FAILED' as const, date: r.state.startDate }] } } : r,
  );
  return { ...e, taskRunList };
}

/** idx -> rowid of an execution's chunk rows: a rewritten chunk gets a new rowid. */
function chunkRowids(db: SqliteDatabase, id: string): Map<number, number> {
  const rows = db.prepare('SELECT idx, rowid AS r FROM execution_chunks WHERE execution_id = ? ORDER BY idx').all(id) as { idx: number; r: number }[];
  return new Map(rows.map((row) => [row.idx, row.r]));
}

function rewritten(before: Map<number, number>, after: Map<number, number>): number[] {
  return [...after].filter(([idx, rowid]) => before.get(idx) !== rowid).map(([idx]) => idx);
}

describe('SqliteExecutionRepository at rest', () => {
  it('returns 10,000 task runs equal after a save, from a repository that never saw them', async () => {
    const db = openSqliteDatabase(':memory:');
    const e = withRuns(10_000);
    await new SqliteExecutionRepository(db).save(e, undefined);
    const got = await new SqliteExecutionRepository(db).get('main', e.id);
    expect(got).toEqual({ ...e, version: 1 });
    expect(db.prepare('SELECT COUNT(*) FROM execution_chunks WHERE execution_id = ?').pluck().get(e.id)).toBe(100);
    const bytes = db.prepare('SELECT SUM(length(body)) FROM execution_chunks WHERE execution_id = ?').pluck().get(e.id) as number;
    expect(bytes).toBeLessThan(JSON.stringify(e.taskRunList).length / 10);
  });

  it('rewrites only the chunk of the one task run a save changed', async () => {
    const db = openSqliteDatabase(':memory:');
    const repo = new SqliteExecutionRepository(db);
    const e = withRuns(10_000);
    await repo.save(e, undefined);
    const before = chunkRowids(db, e.id);
    const current = (await repo.get('main', e.id)) as Execution;
    await repo.save(changeRun(current, 4_321), 1);
    expect(rewritten(before, chunkRowids(db, e.id))).toEqual([43]);
    const got = await new SqliteExecutionRepository(db).get('main', e.id);
    expect(got?.taskRunList[4_321]?.state.current).toBe('FAILED');
    expect(got?.taskRunList.filter((r) => r.state.current === 'FAILED')).toHaveLength(1);
  });

  it('also rewrites only the changed chunk when the execution comes as fresh copies (another process, no cache)', async () => {
    const db = openSqliteDatabase(':memory:');
    const e = withRuns(1_000);
    await new SqliteExecutionRepository(db).save(e, undefined);
    const before = chunkRowids(db, e.id);
    const copy = JSON.parse(JSON.stringify(e)) as Execution;
    await new SqliteExecutionRepository(db).save(changeRun(copy, 999), 1);
    expect(rewritten(before, chunkRowids(db, e.id))).toEqual([9]);
  });

  it('sees a save made through another repository on the same database despite its cached chunks', async () => {
    const db = openSqliteDatabase(':memory:');
    const a = new SqliteExecutionRepository(db);
    const b = new SqliteExecutionRepository(db);
    const c = new SqliteExecutionRepository(db);
    const e = withRuns(500);
    await a.save(e, undefined);
    expect((await b.get('main', e.id))?.taskRunList[250]?.state.current).toBe('SUCCESS');
    const staleInC = (await c.get('main', e.id)) as Execution;
    await a.save(changeRun((await a.get('main', e.id)) as Execution, 250), 1);
    const seen = await b.get('main', e.id);
    expect(seen?.version).toBe(2);
    expect(seen?.taskRunList[250]?.state.current).toBe('FAILED');
    // c's cache predates a's save: its save must store exactly what it is given, not keep a's chunk.
    await c.save(changeRun(staleInC, 10), 2);
    const got = await a.get('main', e.id);
    expect([got?.taskRunList[10]?.state.current, got?.taskRunList[250]?.state.current]).toEqual(['FAILED', 'SUCCESS']);
  });

  it('keeps the winner intact when a stale save of a chunked execution conflicts', async () => {
    const db = openSqliteDatabase(':memory:');
    const repo = new SqliteExecutionRepository(db);
    const e = withRuns(2_000);
    await repo.save(e, undefined);
    const v1 = (await repo.get('main', e.id)) as Execution;
    await repo.save(changeRun(v1, 5), 1);
    const before = chunkRowids(db, e.id);
    await expect(repo.save(changeRun(v1, 1_500), 1)).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    expect(rewritten(before, chunkRowids(db, e.id))).toEqual([]);
    const got = await new SqliteExecutionRepository(db).get('main', e.id);
    expect(got?.version).toBe(2);
    expect([got?.taskRunList[5]?.state.current, got?.taskRunList[1_500]?.state.current]).toEqual(['FAILED', 'SUCCESS']);
  });

  it('drops the chunks past the end when task runs are removed, and goes back inline under 100', async () => {
    const db = openSqliteDatabase(':memory:');
    const repo = new SqliteExecutionRepository(db);
    const e = withRuns(350);
    await repo.save(e, undefined);
    await repo.save({ ...e, taskRunList: e.taskRunList.slice(0, 150) }, 1);
    expect([...chunkRowids(db, e.id).keys()]).toEqual([0, 1]);
    expect((await new SqliteExecutionRepository(db).get('main', e.id))?.taskRunList).toEqual(e.taskRunList.slice(0, 150));
    await repo.save({ ...e, taskRunList: e.taskRunList.slice(0, 40) }, 2);
    expect(chunkRowids(db, e.id).size).toBe(0);
    expect((await repo.get('main', e.id))?.taskRunList).toEqual(e.taskRunList.slice(0, 40));
  });

  it('keeps the ForEach values of a chunked execution in a row of their own, written when they change', async () => {
    const db = openSqliteDatabase(':memory:');
    const repo = new SqliteExecutionRepository(db);
    const loopValues = { each: Array.from({ length: 3_000 }, (_, i) => `value-${i}`) };
    const e: Execution = { ...withRuns(3_000), engine: { appliedEvents: ['created'], outbox: [], loopValues } };
    await repo.save(e, undefined);
    const header = db.prepare('SELECT doc FROM executions WHERE id = ?').pluck().get(e.id) as string | Buffer;
    expect(header.length).toBeLessThan(1_000);
    expect(await new SqliteExecutionRepository(db).get('main', e.id)).toEqual({ ...e, version: 1 });

    const v1 = (await repo.get('main', e.id)) as Execution;
    const before = chunkRowids(db, e.id);
    const v2 = { ...changeRun(v1, 10), engine: { ...(v1.engine as NonNullable<Execution['engine']>), appliedEvents: ['created', 'step'] } };
    await repo.save(v2, 1);
    expect(rewritten(before, chunkRowids(db, e.id))).toEqual([0]);

    const more = { ...loopValues, other: ['a', 'b'] };
    await repo.save({ ...v2, engine: { ...(v2.engine as NonNullable<Execution['engine']>), loopValues: more } }, 2);
    expect((await new SqliteExecutionRepository(db).get('main', e.id))?.engine?.loopValues).toEqual(more);
    await repo.save({ ...v2, engine: { appliedEvents: [], outbox: [] } }, 3);
    expect(chunkRowids(db, e.id).has(-1)).toBe(false);
    expect((await new SqliteExecutionRepository(db).get('main', e.id))?.engine).toEqual({ appliedEvents: [], outbox: [] });
  });

  it('compresses documents from 1 KB on and leaves small ones as JSON text', async () => {
    const db = openSqliteDatabase(':memory:');
    const repo = new SqliteExecutionRepository(db);
    const small = contractExecution();
    const ten = withRuns(10);
    await repo.save(small, undefined);
    await repo.save(ten, undefined);
    const doc = (id: string) => db.prepare('SELECT doc FROM executions WHERE id = ?').pluck().get(id) as string | Buffer;
    expect(typeof doc(small.id)).toBe('string');
    expect(Buffer.isBuffer(doc(ten.id))).toBe(true);
    expect(doc(ten.id).length).toBeLessThan(JSON.stringify(ten).length / 4);
    expect(await repo.get('main', ten.id)).toEqual({ ...ten, version: 1 });
  });

  it('hands out cached task runs frozen, so an in-place change cannot slip past a save', async () => {
    const repo = new SqliteExecutionRepository(openSqliteDatabase(':memory:'));
    const e = withRuns(300);
    await repo.save(e, undefined);
    const got = (await repo.get('main', e.id)) as Execution;
    const run = got.taskRunList[7] as { taskId: string; state: { current: string } };
    expect(() => {
      run.taskId = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      run.state.current = 'FAILED';
    }).toThrow(TypeError);
  });

  it('lists and deletes chunked executions', async () => {
    const db = openSqliteDatabase(':memory:');
    const repo = new SqliteExecutionRepository(db);
    const big = withRuns(1_200, { namespace: 'list.ns', stateType: 'RUNNING', labels: [{ key: 'size', value: 'big' }] });
    await repo.save(big, undefined);
    await repo.save(withRuns(3, { namespace: 'list.ns', stateType: 'SUCCESS' }), undefined);
    const page = await new SqliteExecutionRepository(db).find('main', { namespace: 'list.ns', states: ['RUNNING'], labels: { size: 'big' } });
    expect(page.total).toBe(1);
    expect(page.results[0]).toEqual({ ...big, version: 1 });
    await repo.delete('main', big.id);
    expect(await repo.get('main', big.id)).toBeUndefined();
    expect(db.prepare('SELECT COUNT(*) FROM execution_chunks WHERE execution_id = ?').pluck().get(big.id)).toBe(0);
  });

  it('reads, lists and converts rows written by the one-document layout of earlier versions', async () => {
    const db = openSqliteDatabase(':memory:');
    // The schema and the row exactly as the repository wrote them before task run chunks.
    db.exec(`CREATE TABLE executions (
      tenant_id TEXT NOT NULL, id TEXT NOT NULL, namespace TEXT NOT NULL, flow_id TEXT NOT NULL,
      state TEXT NOT NULL, start_date TEXT NOT NULL, parent_id TEXT, labels_json TEXT NOT NULL,
      version INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (tenant_id, id));
      CREATE INDEX executions_by_flow ON executions (tenant_id, namespace, flow_id, start_date);
      CREATE INDEX executions_by_start ON executions (tenant_id, start_date);
      CREATE INDEX executions_by_state ON executions (tenant_id, state)`);
    const old = { ...withRuns(450, { namespace: 'legacy.ns', stateType: 'SUCCESS', labels: [{ key: 'team', value: 'ops' }] }), version: 3 };
    db.prepare(
      `INSERT INTO executions (namespace, flow_id, state, start_date, parent_id, labels_json, version, doc, tenant_id, id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(old.namespace, old.flowId, 'SUCCESS', old.state.startDate, null, JSON.stringify(old.labels), 3, JSON.stringify(old), 'main', old.id);

    const repo = new SqliteExecutionRepository(db);
    expect(await repo.get('main', old.id)).toEqual(old);
    const found = await repo.find('main', { namespace: 'legacy.ns', states: ['SUCCESS'], labels: { team: 'ops' } });
    expect(found.results.map((e) => e.id)).toEqual([old.id]);
    expect(await repo.save(old, 2).catch((e: { code: string }) => e.code)).toBe('VERSION_CONFLICT');

    await repo.save(changeRun(old, 449), 3);
    expect(chunkRowids(db, old.id).size).toBe(5);
    const header = db.prepare('SELECT doc FROM executions WHERE id = ?').pluck().get(old.id) as string;
    expect(JSON.parse(header).taskRunList).toBeUndefined();
    const converted = await new SqliteExecutionRepository(db).get('main', old.id);
    expect(converted).toEqual({ ...changeRun(old, 449), version: 4 });
  });
});
