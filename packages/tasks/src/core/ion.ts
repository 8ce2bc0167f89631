import type { JsonValue } from '@windhover/core';

/** One value in Amazon Ion text (strings JSON-quoted, maps as structs), for line-oriented ION files. */
export function toIon(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : `${value}e0`;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(toIon).join(',')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}:${toIon(v)}`)
    .join(',')}}`;
}
