import type { ConcurrencySlots } from '@windhover/core';
import { describe, expect, it } from 'vitest';

/** The ConcurrencySlots contract; `makeSlots` returns a store with no slot held. */
export function describeConcurrencySlotsContract(name: string, makeSlots: () => Promise<ConcurrencySlots>): void {
  describe(`ConcurrencySlots contract: ${name}`, () => {
    it('grants slots up to the limit and refuses the next one', async () => {
      const s = await makeSlots();
      expect(await s.tryAcquire('main', 'company.team', 'f', 'e1', 2)).toBe(true);
      expect(await s.tryAcquire('main', 'company.team', 'f', 'e2', 2)).toBe(true);
      expect(await s.tryAcquire('main', 'company.team', 'f', 'e3', 2)).toBe(false);
    });

    it('grants exactly `limit` slots to 20 concurrent acquirers', async () => {
      const s = await makeSlots();
      const ids = Array.from({ length: 20 }, (_, i) => `exec-${i}`);
      const granted = await Promise.all(ids.map((id) => s.tryAcquire('main', 'company.team', 'busy', id, 3)));
      expect(granted.filter(Boolean).length).toBe(3);
      // The holders still hold theirs; the others are still refused.
      const again = await Promise.all(ids.map((id) => s.tryAcquire('main', 'company.team', 'busy', id, 3)));
      expect(again).toEqual(granted);
    });

    it('re-acquiring a held slot succeeds without taking another, even at the limit', async () => {
      const s = await makeSlots();
      expect(await s.tryAcquire('main', 'ns', 'f', 'e1', 1)).toBe(true);
      expect(await s.tryAcquire('main', 'ns', 'f', 'e1', 1)).toBe(true);
      expect(await s.tryAcquire('main', 'ns', 'f', 'e2', 1)).toBe(false);
      expect(await s.tryAcquire('main', 'ns', 'f', 'e1', 1)).toBe(true);
    });

    it('release frees the slot once; releasing again or an absent id is a no-op', async () => {
      const s = await makeSlots();
      expect(await s.tryAcquire('main', 'ns', 'f', 'e1', 1)).toBe(true);
      await s.release('main', 'ns', 'f', 'e1');
      await s.release('main', 'ns', 'f', 'e1');
      await s.release('main', 'ns', 'f', 'never');
      await s.release('main', 'ns', 'other', 'x');
      expect(await s.tryAcquire('main', 'ns', 'f', 'e2', 1)).toBe(true);
      expect(await s.tryAcquire('main', 'ns', 'f', 'e3', 1)).toBe(false);
      // A redelivered release of e1 must not free e2's slot.
      await s.release('main', 'ns', 'f', 'e1');
      expect(await s.tryAcquire('main', 'ns', 'f', 'e3', 1)).toBe(false);
    });

    it('keeps waiters until they get a slot or are released, and snapshots holders and waiters', async () => {
      const s = await makeSlots();
      expect(await s.snapshot('main', 'ns', 'f')).toEqual({ active: [], waiting: [] });
      expect(await s.tryAcquire('main', 'ns', 'f', 'e1', 1)).toBe(true);
      await s.markWaiting('main', 'ns', 'f', 'e2');
      await s.markWaiting('main', 'ns', 'f', 'e2');
      await s.markWaiting('main', 'ns', 'f', 'e3');
      expect(await s.tryAcquire('main', 'ns', 'f', 'e2', 1)).toBe(false);
      expect(await s.snapshot('main', 'ns', 'f')).toEqual({ active: ['e1'], waiting: ['e2', 'e3'] });
      // A refused waiter stays; a granted one leaves the waiters; a released one (killed or deleted while QUEUED) too.
      await s.release('main', 'ns', 'f', 'e1');
      expect(await s.tryAcquire('main', 'ns', 'f', 'e2', 1)).toBe(true);
      await s.release('main', 'ns', 'f', 'e3');
      expect(await s.snapshot('main', 'ns', 'f')).toEqual({ active: ['e2'], waiting: [] });
      expect(await s.snapshot('main', 'ns', 'other')).toEqual({ active: [], waiting: [] });
    });

    it('keeps the slots of flows, namespaces and tenants apart', async () => {
      const s = await makeSlots();
      expect(await s.tryAcquire('main', 'ns', 'f', 'e1', 1)).toBe(true);
      expect(await s.tryAcquire('main', 'ns', 'g', 'e2', 1)).toBe(true);
      expect(await s.tryAcquire('main', 'ns.sub', 'f', 'e3', 1)).toBe(true);
      expect(await s.tryAcquire('other', 'ns', 'f', 'e4', 1)).toBe(true);
      expect(await s.tryAcquire('main', 'ns', 'f', 'e5', 1)).toBe(false);
    });
  });
}
