import type { TriggerKey, TriggerState, TriggerStore } from '@windhover/core';
import { describe, expect, it } from 'vitest';

type NewState = Omit<TriggerState, 'version'>;

const key = (over: Partial<TriggerKey> = {}): TriggerKey => ({
  tenantId: 'main',
  namespace: 'company.team',
  flowId: 'hello',
  triggerId: 'schedule',
  ...over,
});

const state = (over: Partial<NewState> = {}): NewState => ({
  ...key(),
  type: 'io.kestra.plugin.core.trigger.Schedule',
  disabled: false,
  nextExecutionDate: '2026-01-01T10:00:00.000Z',
  updatedDate: '2026-01-01T09:59:00.000Z',
  ...over,
});

/**
 * The TriggerStore contract, run against every adapter (SQLite locally,
 * DynamoDB on AWS): `makeStore` returns a fresh, empty store.
 */
export function describeTriggerStoreContract(name: string, makeStore: () => Promise<TriggerStore> | TriggerStore): void {
  describe(`TriggerStore contract: ${name}`, () => {
    it('returns undefined for a trigger it never saw', async () => {
      const store = await makeStore();
      expect(await store.get(key())).toBeUndefined();
    });

    it('creates a state at version 1 and reads it back with every field', async () => {
      const store = await makeStore();
      const saved = await store.save(
        state({
          executionId: 'exec1',
          backfill: {
            start: '2026-01-01T00:00:00.000Z',
            end: '2026-01-02T00:00:00.000Z',
            currentDate: '2026-01-01T01:00:00.000Z',
            paused: true,
            inputs: { a: 1 },
            labels: [{ key: 'reason', value: 'outage' }],
          },
          pending: [{ date: '2026-01-01T10:00:00.000Z', executionId: 'x1' }],
          windows: { p: { start: 's', end: 'e', satisfied: { k: { date: 'd', executionId: 'e1' } } } },
          scheduleKey: '* * * * *|false|UTC',
        }),
        undefined,
      );
      expect(saved.version).toBe(1);
      const got = await store.get(key());
      expect(got).toEqual(saved);
      expect(got?.backfill?.labels).toEqual([{ key: 'reason', value: 'outage' }]);
      expect(got?.windows?.p?.satisfied.k?.executionId).toBe('e1');
    });

    it('refuses to create a state that already exists', async () => {
      const store = await makeStore();
      await store.save(state(), undefined);
      await expect(store.save(state({ disabled: true }), undefined)).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
      expect((await store.get(key()))?.disabled).toBe(false);
    });

    it('updates only when the expected version still matches', async () => {
      const store = await makeStore();
      const v1 = await store.save(state(), undefined);
      const v2 = await store.save({ ...v1, nextExecutionDate: '2026-01-01T10:01:00.000Z' }, v1.version);
      expect(v2.version).toBe(2);
      await expect(store.save({ ...v1, nextExecutionDate: '2026-01-01T10:05:00.000Z' }, v1.version)).rejects.toMatchObject({
        code: 'VERSION_CONFLICT',
      });
      expect((await store.get(key()))?.nextExecutionDate).toBe('2026-01-01T10:01:00.000Z');
    });

    it('lets exactly one of many concurrent writers of the same version win', async () => {
      const store = await makeStore();
      const v1 = await store.save(state(), undefined);
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => store.save({ ...v1, date: `w${i}` }, v1.version)),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const stored = await store.get(key());
      expect(stored?.version).toBe(2);
      expect(stored?.date).toBe((won[0] as PromiseFulfilledResult<TriggerState>).value.date);
    });

    it('updating a missing state is a conflict, not an upsert', async () => {
      const store = await makeStore();
      await expect(store.save(state(), 3)).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
      expect(await store.get(key())).toBeUndefined();
    });

    it('drops optional fields that a later version removes', async () => {
      const store = await makeStore();
      const v1 = await store.save(state({ executionId: 'lock', pending: [{ date: 'd', executionId: 'e' }] }), undefined);
      const { executionId: _e, pending: _p, ...rest } = v1;
      await store.save(rest, v1.version);
      const got = await store.get(key());
      expect(got?.executionId).toBeUndefined();
      expect(got?.pending).toBeUndefined();
    });

    it('keeps tenants, namespaces, flows and triggers apart', async () => {
      const store = await makeStore();
      await store.save(state(), undefined);
      await store.save(state({ tenantId: 'other' }), undefined);
      await store.save(state({ namespace: 'company.team.sub' }), undefined);
      await store.save(state({ namespace: 'company.teams' }), undefined);
      await store.save(state({ flowId: 'other' }), undefined);
      await store.save(state({ triggerId: 'second' }), undefined);
      expect(await store.list('main')).toHaveLength(5);
      expect(await store.list('other')).toHaveLength(1);
      expect(await store.list('main', { namespace: 'company.team' })).toHaveLength(3);
      expect(await store.list('main', { namespace: 'company.team', flowId: 'hello' })).toHaveLength(2);
      const prefixed = await store.list('main', { namespacePrefix: 'company.team' });
      expect(prefixed.map((s) => s.namespace).sort()).toEqual(['company.team', 'company.team', 'company.team', 'company.team.sub']);
    });

    it('deletes one state, then all states of a flow', async () => {
      const store = await makeStore();
      await store.save(state(), undefined);
      await store.save(state({ triggerId: 'second' }), undefined);
      await store.save(state({ triggerId: 'third' }), undefined);
      await store.save(state({ flowId: 'kept' }), undefined);
      expect(await store.delete(key())).toBe(true);
      expect(await store.delete(key())).toBe(false);
      expect(await store.deleteByFlow('main', 'company.team', 'hello')).toBe(2);
      const left = await store.list('main');
      expect(left.map((s) => s.flowId)).toEqual(['kept']);
      // A deleted state can be created again from scratch.
      expect((await store.save(state(), undefined)).version).toBe(1);
    });
  });
}
