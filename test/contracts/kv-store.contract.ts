import type { JsonValue, KvEntry, KvStore, KvType } from '@windhover/core';
import { describe, expect, it } from 'vitest';

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code ?? 'NO_CODE';
  }
};

const T0 = '2026-01-01T00:00:00.000Z';
const at = (iso: string) => new Date(iso);

function entry(key: string, value: JsonValue, extra: Partial<KvEntry> = {}): KvEntry {
  return { key, type: 'STRING', value, creationDate: T0, updateDate: T0, ...extra };
}

/**
 * The KvStore contract. `makeStore` returns an empty store; every adapter
 * (SQLite, DynamoDB) runs this suite unchanged from a one-line test.
 */
export function describeKvStoreContract(name: string, makeStore: () => Promise<KvStore>): void {
  describe(`KvStore contract: ${name}`, () => {
    const now = at('2026-01-01T00:00:01.000Z');

    it('stores every type and returns it with its type and value', async () => {
      const kv = await makeStore();
      const values: [KvType, JsonValue][] = [
        ['STRING', 'Hello, wörld 🚀'],
        ['NUMBER', 42.5],
        ['BOOLEAN', false],
        ['DATETIME', '2026-03-04T05:06:07.123Z'],
        ['DATE', '2026-03-04'],
        ['DURATION', 'PT1H30M'],
        ['JSON', { a: [1, 'two', null, { b: true }], nested: { empty: {} } }],
      ];
      for (const [type, value] of values) await kv.put('main', 'company.team', entry(`k_${type}`, value, { type }));
      for (const [type, value] of values) {
        const got = await kv.get('main', 'company.team', `k_${type}`, now);
        expect(got?.type).toBe(type);
        expect(got?.value).toEqual(value);
        expect(got?.key).toBe(`k_${type}`);
        expect(got?.creationDate).toBe(T0);
      }
    });

    it('returns undefined for a key that was never set', async () => {
      const kv = await makeStore();
      expect(await kv.get('main', 'company.team', 'missing', now)).toBeUndefined();
    });

    it('replaces an entry and keeps its description', async () => {
      const kv = await makeStore();
      await kv.put('main', 'ns', entry('k', 'one'));
      await kv.put('main', 'ns', entry('k', 2, { type: 'NUMBER', updateDate: '2026-01-01T00:00:00.500Z', description: 'counter' }));
      const got = await kv.get('main', 'ns', 'k', now);
      expect(got).toMatchObject({ type: 'NUMBER', value: 2, updateDate: '2026-01-01T00:00:00.500Z', description: 'counter' });
      expect((await kv.list('main', 'ns', now)).map((e) => e.key)).toEqual(['k']);
    });

    it('keeps tenants, namespaces and child namespaces apart', async () => {
      const kv = await makeStore();
      await kv.put('main', 'a', entry('k', 'a'));
      await kv.put('main', 'a.b', entry('k', 'a.b'));
      await kv.put('other', 'a', entry('k', 'other'));
      expect((await kv.get('main', 'a', 'k', now))?.value).toBe('a');
      expect((await kv.get('main', 'a.b', 'k', now))?.value).toBe('a.b');
      expect((await kv.get('other', 'a', 'k', now))?.value).toBe('other');
      expect(await kv.get('main', 'a.c', 'k', now)).toBeUndefined();
      expect((await kv.list('main', 'a', now)).map((e) => e.value)).toEqual(['a']);
    });

    it('distinguishes keys that share a prefix', async () => {
      const kv = await makeStore();
      await kv.put('main', 'ns', entry('key', 1, { type: 'NUMBER' }));
      await kv.put('main', 'ns', entry('key.sub', 2, { type: 'NUMBER' }));
      await kv.put('main', 'ns', entry('key_2', 3, { type: 'NUMBER' }));
      expect(await kv.delete('main', 'ns', 'key')).toBe(true);
      expect((await kv.list('main', 'ns', now)).map((e) => e.key)).toEqual(['key.sub', 'key_2']);
    });

    it('hides an entry from get and list at the exact instant it expires', async () => {
      const kv = await makeStore();
      const expires = '2026-01-01T00:10:00.000Z';
      await kv.put('main', 'ns', entry('short', 'v', { expirationDate: expires }));
      await kv.put('main', 'ns', entry('forever', 'w'));
      expect((await kv.get('main', 'ns', 'short', at('2026-01-01T00:09:59.999Z')))?.value).toBe('v');
      expect((await kv.get('main', 'ns', 'short', at('2026-01-01T00:09:59.999Z')))?.expirationDate).toBe(expires);
      expect(await kv.get('main', 'ns', 'short', at(expires))).toBeUndefined();
      expect((await kv.list('main', 'ns', at('2026-01-01T00:09:59.999Z'))).map((e) => e.key)).toEqual(['forever', 'short']);
      expect((await kv.list('main', 'ns', at(expires))).map((e) => e.key)).toEqual(['forever']);
      expect((await kv.list('main', undefined, at(expires))).map((e) => e.key)).toEqual(['forever']);
    });

    it('reports whether delete removed a live entry, and treats an expired one as absent', async () => {
      const kv = await makeStore();
      await kv.put('main', 'ns', entry('k', 'v'));
      await kv.put('main', 'ns', entry('old', 'v', { expirationDate: '2026-01-01T00:00:00.500Z' }));
      expect(await kv.delete('main', 'ns', 'k')).toBe(true);
      expect(await kv.delete('main', 'ns', 'k')).toBe(false);
      expect(await kv.get('main', 'ns', 'k', now)).toBeUndefined();
      expect(await kv.delete('main', 'ns', 'old', now)).toBe(false);
      expect(await kv.get('main', 'ns', 'old', at('2026-01-01T00:00:00.000Z'))).toBeUndefined();
      expect(await kv.delete('main', 'ns', 'never')).toBe(false);
    });

    it('with onlyIfAbsent refuses to replace a live entry and writes nothing', async () => {
      const kv = await makeStore();
      await kv.put('main', 'ns', entry('k', 'first'));
      const code = await codeOf(kv.put('main', 'ns', entry('k', 'second', { updateDate: now.toISOString() }), { onlyIfAbsent: true }));
      expect(code).toBe('ALREADY_EXISTS');
      expect((await kv.get('main', 'ns', 'k', now))?.value).toBe('first');
      await kv.put('main', 'ns', entry('fresh', 'new'), { onlyIfAbsent: true });
      expect((await kv.get('main', 'ns', 'fresh', now))?.value).toBe('new');
    });

    it('with onlyIfAbsent replaces an entry that has expired', async () => {
      const kv = await makeStore();
      await kv.put('main', 'ns', entry('k', 'stale', { expirationDate: '2026-01-01T00:00:00.500Z' }));
      await kv.put('main', 'ns', entry('k', 'fresh', { updateDate: now.toISOString() }), { onlyIfAbsent: true });
      const got = await kv.get('main', 'ns', 'k', now);
      expect(got?.value).toBe('fresh');
      expect(got?.expirationDate).toBeUndefined();
    });

    it('lets exactly one of several concurrent onlyIfAbsent writers win', async () => {
      const kv = await makeStore();
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => kv.put('main', 'ns', entry('race', `w${i}`), { onlyIfAbsent: true })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const winner = results.indexOf(won[0]);
      expect((await kv.get('main', 'ns', 'race', now))?.value).toBe(`w${winner}`);
      for (const r of results) {
        if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('ALREADY_EXISTS');
      }
    });

    it('lists a namespace sorted by key and a whole tenant sorted by namespace then key', async () => {
      const kv = await makeStore();
      await kv.put('main', 'b', entry('z', 1, { type: 'NUMBER' }));
      await kv.put('main', 'b', entry('a', 2, { type: 'NUMBER' }));
      await kv.put('main', 'a.x', entry('m', 3, { type: 'NUMBER' }));
      await kv.put('other', 'a', entry('hidden', 4, { type: 'NUMBER' }));
      expect((await kv.list('main', 'b', now)).map((e) => e.key)).toEqual(['a', 'z']);
      const all = await kv.list('main', undefined, now);
      expect(all.map((e) => `${e.namespace}/${e.key}`)).toEqual(['a.x/m', 'b/a', 'b/z']);
      expect(all.map((e) => e.value)).toEqual([3, 2, 1]);
      expect(await kv.list('main', 'empty', now)).toEqual([]);
    });

    it('stores a large JSON value intact', async () => {
      const kv = await makeStore();
      const big = { rows: Array.from({ length: 3000 }, (_, i) => ({ i, text: `row ${i} ${'x'.repeat(60)}` })) };
      await kv.put('main', 'ns', entry('big', big, { type: 'JSON' }));
      expect((await kv.get('main', 'ns', 'big', now))?.value).toEqual(big);
    });
  });
}
