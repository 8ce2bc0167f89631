import type { TimerRecord, TimerStore } from '@windhover/core';
import { describe, expect, it } from 'vitest';

const timer = (id: string, fireAt: string, body = `{"id":"${id}"}`): TimerRecord => ({ id, tenantId: 'main', executionId: `ex-${id}`, fireAt, body });

/** The TimerStore contract; `makeStore` returns an empty store. */
export function describeTimerStoreContract(name: string, makeStore: () => Promise<TimerStore>): void {
  describe(`TimerStore contract: ${name}`, () => {
    it('returns due timers earliest first, up to the limit, and not the future ones', async () => {
      const s = await makeStore();
      await s.put(timer('b', '2026-01-01T00:02:00.000Z'));
      await s.put(timer('a', '2026-01-01T00:01:00.000Z'));
      await s.put(timer('c', '2026-01-01T00:03:00.000Z'));
      await s.put(timer('future', '2027-01-01T00:00:00.000Z'));
      const due = await s.due(new Date('2026-06-01T00:00:00Z'), 2);
      expect(due.map((t) => t.id)).toEqual(['a', 'b']);
      expect(due[0]).toEqual(timer('a', '2026-01-01T00:01:00.000Z'));
      expect((await s.due(new Date('2026-06-01T00:00:00Z'), 10)).map((t) => t.id)).toEqual(['a', 'b', 'c']);
    });

    it('counts a timer due exactly now as due', async () => {
      const s = await makeStore();
      await s.put(timer('now', '2026-01-01T00:00:00.000Z'));
      expect((await s.due(new Date('2026-01-01T00:00:00.000Z'), 10)).map((t) => t.id)).toEqual(['now']);
    });

    it('keeps one timer when the same id is put twice', async () => {
      const s = await makeStore();
      await s.put(timer('dup', '2026-01-01T00:00:00.000Z'));
      await s.put(timer('dup', '2026-01-01T00:00:00.000Z'));
      expect((await s.due(new Date('2026-02-01T00:00:00Z'), 10)).length).toBe(1);
    });

    it('deletes a timer, and deleting an absent one is not an error', async () => {
      const s = await makeStore();
      await s.put(timer('x', '2026-01-01T00:00:00.000Z'));
      await s.delete('x');
      await s.delete('x');
      await s.delete('never');
      expect(await s.due(new Date('2026-02-01T00:00:00Z'), 10)).toEqual([]);
    });

    it('compares instants, not their text, across time zone offsets', async () => {
      const s = await makeStore();
      await s.put(timer('offset', '2026-01-01T01:30:00+02:00'));
      expect(await s.due(new Date('2025-12-31T23:00:00Z'), 10)).toEqual([]);
      expect((await s.due(new Date('2025-12-31T23:30:00Z'), 10)).map((t) => t.id)).toEqual(['offset']);
    });
  });
}
