import { WindhoverError } from '@windhover/core';

/**
 * A port whose local adapter is not wired in: every call fails with a clear
 * error instead of pretending to work.
 */
export function unavailablePort<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, property) => {
      if (property === 'then') return undefined;
      return () => {
        throw new WindhoverError('NOT_AVAILABLE', `${name} is not available in the local edition yet (${String(property)})`);
      };
    },
  });
}
