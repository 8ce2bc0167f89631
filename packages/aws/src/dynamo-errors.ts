import { VersionConflictError } from '@windhover/core';

const nameOf = (e: unknown): string | undefined =>
  e && typeof e === 'object' && 'name' in e && typeof e.name === 'string' ? e.name : undefined;

/**
 * True for a failed condition, on a single write (ConditionalCheckFailedException)
 * or inside a transaction (TransactionCanceledException with a ConditionalCheckFailed reason).
 */
export function isConditionFailure(e: unknown): boolean {
  const name = nameOf(e);
  if (name === 'ConditionalCheckFailedException') return true;
  if (name === 'TransactionCanceledException') {
    const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    return reasons.some((r) => r.Code === 'ConditionalCheckFailed');
  }
  return false;
}

/** Runs a conditional write and turns a failed condition into VersionConflictError. */
export async function withVersionCheck<T>(
  what: string,
  id: string,
  expected: number | undefined,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (isConditionFailure(e)) throw new VersionConflictError(what, id, expected, { cause: e });
    throw e;
  }
}
