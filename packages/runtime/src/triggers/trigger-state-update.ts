import type { NewTriggerState, TriggerKey, TriggerState, TriggerStore } from '@windhover/core';
import { isWindhoverError } from '@windhover/core';

const MAX_ATTEMPTS = 8;

/**
 * Read-modify-write of one trigger state with the store's conditional
 * write, retried on conflicts. `change` returns the new state, or undefined
 * to leave it as it is. Returns the stored state (or undefined).
 */
export async function updateTriggerState(
  store: TriggerStore,
  key: TriggerKey,
  change: (current: TriggerState | undefined) => NewTriggerState | undefined | Promise<NewTriggerState | undefined>,
): Promise<TriggerState | undefined> {
  for (let attempt = 0; ; attempt++) {
    const current = await store.get(key);
    const next = await change(current);
    if (next === undefined) return current;
    try {
      return await store.save(next, current?.version);
    } catch (e) {
      if (!isVersionConflict(e) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
}

export const isVersionConflict = (e: unknown): boolean => isWindhoverError(e) && e.code === 'VERSION_CONFLICT';

/** A state without its version, for writing back. */
export function withoutVersion(state: TriggerState): NewTriggerState {
  const { version: _v, ...rest } = state;
  return rest;
}
