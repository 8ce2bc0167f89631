const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 32-bit FNV-1a with a seed; pure and fast. */
function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // final avalanche (murmur3 fmix32)
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A deterministic 22-character base62 id (the shape of Kestra's ids) derived
 * from its parts, so that replaying a step yields the same ids.
 */
export function deriveId(...parts: readonly (string | number | undefined)[]): string {
  const text = parts.map((p) => (p === undefined ? '\u0000' : String(p))).join('\u001f');
  let out = '';
  for (let seed = 0; out.length < 22; seed++) {
    let h = fnv1a(text, seed * 0x9e3779b1);
    for (let i = 0; i < 5 && out.length < 22; i++) {
      out += ALPHABET[h % 62];
      h = Math.floor(h / 62);
    }
  }
  return out;
}

/** A deterministic number in [0, 1) derived from its parts (retry jitter). */
export function deriveFraction(...parts: readonly (string | number)[]): number {
  return fnv1a(parts.join('\u001f'), 7) / 0x100000000;
}
