import type { TriggerKey } from '../ports/trigger-store';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The id of the execution a trigger creates for one occasion (a schedule
 * slot, an upstream execution, a window firing): derived, never random, so
 * that a retried tick or a redelivered event creates nothing twice. Same
 * 22-character base62 shape as Kestra's ids.
 */
export function triggerExecutionId(key: TriggerKey, ...occasion: readonly (string | number)[]): string {
  const text = [key.tenantId, key.namespace, key.flowId, key.triggerId, ...occasion].join('\u001f');
  let out = '';
  for (let seed = 0; out.length < 22; seed++) {
    let h = hash32(text, Math.imul(seed + 1, 0x9e3779b1));
    for (let i = 0; i < 5 && out.length < 22; i++) {
      out += ALPHABET[h % 62];
      h = Math.floor(h / 62);
    }
  }
  return out;
}
