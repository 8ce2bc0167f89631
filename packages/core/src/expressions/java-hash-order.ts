/**
 * Java's HashMap iterates in bucket order, not insertion order. Pebble builds map literals
 * (`{"a": 1}`) and `merge` results as HashMaps, so Kestra prints their keys in that order;
 * these helpers reproduce it for string keys.
 */

/** java.lang.String#hashCode. */
function stringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** HashMap.tableSizeFor: the smallest power of two >= n (at least 1). */
function tableSizeFor(n: number): number {
  let cap = 1;
  while (cap < n) cap *= 2;
  return cap;
}

/** Orders keys as a HashMap of the given initial capacity iterates them after inserting them in order. */
export function hashMapOrder(keys: readonly string[], initialCapacity: number): string[] {
  let cap = tableSizeFor(Math.max(1, initialCapacity));
  while (keys.length > cap * 0.75) cap *= 2;
  const bucket = (k: string) => {
    const h = stringHash(k);
    return (h ^ (h >>> 16)) & (cap - 1);
  };
  // Resizes keep the relative order inside a bucket, so a stable sort by final bucket is exact.
  return keys
    .map((k, i) => ({ k, i, b: bucket(k) }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((e) => e.k);
}

/** A map literal: `new HashMap<>(ceil(n / 0.75))` filled in source order. */
export function mapLiteral(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const values = new Map(entries);
  const out: Record<string, unknown> = {};
  for (const k of hashMapOrder([...values.keys()], Math.ceil(values.size / 0.75))) out[k] = values.get(k);
  return out;
}

/** Pebble's merge of two maps: `new HashMap<>(first)` then `putAll(second)`. */
export function mergeMaps(first: Readonly<Record<string, unknown>>, second: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const values = new Map<string, unknown>([...Object.entries(first), ...Object.entries(second)]);
  const out: Record<string, unknown> = {};
  const firstSize = Object.keys(first).length;
  for (const k of hashMapOrder([...values.keys()], Math.floor(firstSize / 0.75 + 1))) out[k] = values.get(k);
  return out;
}
