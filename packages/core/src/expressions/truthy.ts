const FALSE_STRINGS = new Set(['false', '0', '-0', 'null', '']);

/**
 * Kestra's truthiness (§7.6) for conditions of If, runIf, Fail, LoopUntil, filterCondition,
 * checks and SLA asserts: the rendered value is false when it is `false`, `0`, `-0`, `null`
 * or empty (after trimming), true otherwise. Native values are judged by their printed form.
 */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (value === true) return true;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string') return !FALSE_STRINGS.has(value.trim());
  return true;
}
