import type { AttemptKey, AttemptResultStore } from '@windhover/core';
import { describe, expect, it } from 'vitest';

const key = (over: Partial<AttemptKey> = {}): AttemptKey => ({ tenantId: 'main', executionId: 'ex1', taskRunId: 'tr1', attempt: 1, ...over });
const result = (state: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ type: 'task-result', id: 'tr1:1:result', tenantId: 'main', executionId: 'ex1', taskRunId: 'tr1', attempt: 1, state, ...extra });

const NOW = new Date('2026-03-01T12:00:00.000Z');
const LATER = new Date('2026-03-08T12:00:00.000Z');

/** Text that compresses poorly (hex of a deterministic pseudo-random sequence). */
function noise(chars: number): string {
  let x = 0x2545f491;
  let out = '';
  while (out.length < chars) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out += (x >>> 0).toString(16).padStart(8, '0');
  }
  return out.slice(0, chars);
}

/** The AttemptResultStore contract; `makeStore` returns an empty store. */
export function describeAttemptResultStoreContract(name: string, makeStore: () => Promise<AttemptResultStore>): void {
  describe(`AttemptResultStore contract: ${name}`, () => {
    it('returns nothing for an attempt whose result was never stored', async () => {
      const s = await makeStore();
      expect(await s.get(key(), NOW)).toBeUndefined();
    });

    it('returns the stored result of an attempt until it expires', async () => {
      const s = await makeStore();
      const r = result('SUCCESS', { outputs: { uri: 'kestra:///company/f/executions/ex1/tasks/write/tr1/out.txt', n: 3, ok: true } });
      await s.put(key(), r, LATER, NOW);
      expect(await s.get(key(), NOW)).toBe(r);
      expect(await s.get(key(), new Date(LATER.getTime() - 1))).toBe(r);
      expect(await s.get(key(), LATER)).toBeUndefined();
    });

    it('keeps the results of different tenants, executions, task runs and attempts apart', async () => {
      const s = await makeStore();
      const variants: AttemptKey[] = [key(), key({ tenantId: 'other' }), key({ executionId: 'ex2' }), key({ taskRunId: 'tr2' }), key({ attempt: 2 })];
      for (const [i, k] of variants.entries()) await s.put(k, result(`S${i}`), LATER, NOW);
      for (const [i, k] of variants.entries()) expect(JSON.parse((await s.get(k, NOW)) ?? 'null')).toMatchObject({ state: `S${i}` });
      expect(await s.get(key({ attempt: 3 }), NOW)).toBeUndefined();
    });

    it('replaces the result when the same attempt is stored again', async () => {
      const s = await makeStore();
      await s.put(key(), result('FAILED'), LATER, NOW);
      await s.put(key(), result('SUCCESS'), LATER, NOW);
      expect(await s.get(key(), NOW)).toBe(result('SUCCESS'));
    });

    it('stores a result larger than a database item (1 MB of outputs)', async () => {
      const s = await makeStore();
      const r = result('SUCCESS', { outputs: { big: noise(1_000_000) } });
      await s.put(key(), r, LATER, NOW);
      expect(await s.get(key(), NOW)).toBe(r);
    });

    it('keeps a result that a later put finds unexpired, and drops the ones expired by then', async () => {
      const s = await makeStore();
      await s.put(key({ taskRunId: 'short' }), result('SHORT'), new Date(NOW.getTime() + 1000), NOW);
      await s.put(key({ taskRunId: 'long' }), result('LONG'), LATER, NOW);
      await s.put(key({ taskRunId: 'next' }), result('NEXT'), LATER, new Date(NOW.getTime() + 2000));
      expect(await s.get(key({ taskRunId: 'short' }), new Date(NOW.getTime() + 2000))).toBeUndefined();
      expect(await s.get(key({ taskRunId: 'long' }), new Date(NOW.getTime() + 2000))).toBe(result('LONG'));
      expect(await s.get(key({ taskRunId: 'next' }), new Date(NOW.getTime() + 2000))).toBe(result('NEXT'));
    });
  });
}
