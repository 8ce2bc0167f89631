import type { LogEntry, LogRepository } from '@windhover/core';
import { describe, expect, it } from 'vitest';

const entry = (executionId: string, i: number, overrides: Partial<LogEntry> = {}): LogEntry => ({
  tenantId: 'main',
  namespace: 'company.team',
  flowId: 'hello',
  executionId,
  taskId: i % 2 === 0 ? 'even' : 'odd',
  taskRunId: `${executionId}-tr${i % 2}`,
  attemptNumber: 1,
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
  level: 'INFO',
  message: `line ${i}`,
  ...overrides,
});

/** The LogRepository contract; `makeRepo` returns an empty repository. */
export function describeLogRepositoryContract(name: string, makeRepo: () => Promise<LogRepository>): void {
  describe(`LogRepository contract: ${name}`, () => {
    it('returns the logs of an execution in time order', async () => {
      const repo = await makeRepo();
      await repo.append([entry('ex1', 2), entry('ex1', 0), entry('ex2', 1)]);
      await repo.append([entry('ex1', 1)]);
      const logs = await repo.find('main', { executionId: 'ex1' });
      expect(logs.map((l) => l.message)).toEqual(['line 0', 'line 1', 'line 2']);
      expect(logs[0]).toMatchObject({ namespace: 'company.team', flowId: 'hello', taskId: 'even', taskRunId: 'ex1-tr0', attemptNumber: 1, level: 'INFO' });
    });

    it('keeps the order of entries that share a timestamp', async () => {
      const repo = await makeRepo();
      const ts = '2026-01-01T00:00:00.000Z';
      await repo.append(['a', 'b', 'c', 'd'].map((m) => ({ ...entry('same', 0), timestamp: ts, message: m })));
      expect((await repo.find('main', { executionId: 'same' })).map((l) => l.message)).toEqual(['a', 'b', 'c', 'd']);
    });

    it('filters by minimum level, task run and task', async () => {
      const repo = await makeRepo();
      await repo.append([
        entry('lv', 0, { level: 'DEBUG' }),
        entry('lv', 1, { level: 'INFO' }),
        entry('lv', 2, { level: 'WARN' }),
        entry('lv', 3, { level: 'ERROR' }),
        entry('lv', 4, { level: 'TRACE' }),
      ]);
      expect((await repo.find('main', { executionId: 'lv', minLevel: 'WARN' })).map((l) => l.level)).toEqual(['WARN', 'ERROR']);
      expect((await repo.find('main', { executionId: 'lv', minLevel: 'TRACE' })).length).toBe(5);
      expect((await repo.find('main', { executionId: 'lv', taskRunId: 'lv-tr1' })).map((l) => l.message)).toEqual(['line 1', 'line 3']);
      expect((await repo.find('main', { executionId: 'lv', taskId: 'even' })).length).toBe(3);
    });

    it('pages results', async () => {
      const repo = await makeRepo();
      await repo.append(Array.from({ length: 7 }, (_, i) => entry('pg', i)));
      expect((await repo.find('main', { executionId: 'pg', page: 2, size: 3 })).map((l) => l.message)).toEqual(['line 3', 'line 4', 'line 5']);
      expect((await repo.find('main', { executionId: 'pg', page: 3, size: 3 })).map((l) => l.message)).toEqual(['line 6']);
    });

    it('deletes the logs of one execution only', async () => {
      const repo = await makeRepo();
      await repo.append([entry('del1', 0), entry('del2', 0)]);
      await repo.deleteByExecution('main', 'del1');
      expect(await repo.find('main', { executionId: 'del1' })).toEqual([]);
      expect((await repo.find('main', { executionId: 'del2' })).length).toBe(1);
    });

    it('keeps tenants apart', async () => {
      const repo = await makeRepo();
      await repo.append([entry('iso', 0, { tenantId: 'other' })]);
      expect(await repo.find('main', { executionId: 'iso' })).toEqual([]);
      expect((await repo.find('other', { executionId: 'iso' })).length).toBe(1);
      await repo.deleteByExecution('main', 'iso');
      expect((await repo.find('other', { executionId: 'iso' })).length).toBe(1);
    });
  });
}
