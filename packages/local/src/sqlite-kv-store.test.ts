import { describe, expect, it } from 'vitest';
import { describeKvStoreContract } from '../../../test/contracts/kv-store.contract';
import { openSqliteDatabase } from './sqlite-database';
import { SqliteKvStore } from './sqlite-kv-store';

describeKvStoreContract('SqliteKvStore', async () => new SqliteKvStore(openSqliteDatabase(':memory:')));

describe('SqliteKvStore.purgeExpired', () => {
  it('removes only the rows expired at the given instant', async () => {
    const kv = new SqliteKvStore(openSqliteDatabase(':memory:'));
    const base = { type: 'STRING' as const, creationDate: '2026-01-01T00:00:00.000Z', updateDate: '2026-01-01T00:00:00.000Z' };
    await kv.put('main', 'ns', { ...base, key: 'gone', value: 'a', expirationDate: '2026-01-01T00:01:00.000Z' });
    await kv.put('main', 'ns', { ...base, key: 'later', value: 'b', expirationDate: '2026-01-01T00:05:00.000Z' });
    await kv.put('main', 'ns', { ...base, key: 'kept', value: 'c' });
    expect(kv.purgeExpired(new Date('2026-01-01T00:01:00.000Z'))).toBe(1);
    expect((await kv.list('main', 'ns', new Date('2026-01-01T00:00:00.000Z'))).map((e) => e.key)).toEqual(['kept', 'later']);
  });
});
