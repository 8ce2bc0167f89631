import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashMapOrder } from './java-hash-order';

/**
 * 300 random key sets and the order in which Java 17's `new HashMap<>(ceil(n / 0.75))` iterates them
 * after inserting them in order (generated once with a small Java program; the rows are
 * "inserted keys<TAB>iteration order").
 */
const FIXTURE = join(import.meta.dirname, 'test-support/java-hashmap-orders.tsv');

describe('hashMapOrder', () => {
  it("iterates keys exactly like Java's HashMap", () => {
    const rows = readFileSync(FIXTURE, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(300);
    for (const row of rows) {
      const [inserted, javaOrder] = row.split('\t') as [string, string];
      const keys = inserted.split(' ');
      expect(hashMapOrder(keys, Math.ceil(keys.length / 0.75)).join(' '), inserted).toBe(javaOrder);
    }
  });

  it('grows the table like Java when more keys than the initial capacity arrive', () => {
    // new HashMap<>(m) of 2 keys, then 2 more: Java 17 iterates [zeta, mid, beta, alpha].
    expect(hashMapOrder(['zeta', 'alpha', 'mid', 'beta'], Math.floor(2 / 0.75 + 1))).toEqual(['zeta', 'mid', 'beta', 'alpha']);
  });
});
