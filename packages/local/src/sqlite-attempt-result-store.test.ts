import { describe, expect, it } from 'vitest';
import { describeAttemptResultStoreContract } from '../../../test/contracts/attempt-result-store.contract';
import { SqliteAttemptResultStore } from './sqlite-attempt-result-store';
import { openSqliteDatabase } from './sqlite-database';

describeAttemptResultStoreContract('SqliteAttemptResultStore', async () => new SqliteAttemptResultStore(openSqliteDatabase(':memory:')));

describe('SqliteAttemptResultStore', () => {
  it('deletes the rows expired by the time of a later put', async () => {
    const db = openSqliteDatabase(':memory:');
    const s = new SqliteAttemptResultStore(db);
    const now = new Date('2026-03-01T00:00:00Z');
    const k = (taskRunId: string) => ({ tenantId: 'main', executionId: 'ex', taskRunId, attempt: 1 });
    await s.put(k('a'), '{"a":1}', new Date(now.getTime() + 1000), now);
    await s.put(k('b'), '{"b":1}', new Date(now.getTime() + 5000), now);
    const count = () => (db.prepare('SELECT count(*) AS n FROM attempt_results').get() as { n: number }).n;
    expect(count()).toBe(2);
    await s.put(k('c'), '{"c":1}', new Date(now.getTime() + 9000), new Date(now.getTime() + 1000));
    expect(count()).toBe(2);
    expect(await s.get(k('b'), now)).toBe('{"b":1}');
    expect(await s.get(k('a'), now)).toBeUndefined();
  });
});
