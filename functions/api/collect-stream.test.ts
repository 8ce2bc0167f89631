import { describe, expect, it } from 'vitest';
import { collectStream } from './collect-stream';

describe('collectStream', () => {
  it('passes a response without a stream through unchanged', async () => {
    const r = { status: 200, body: { a: 1 } };
    expect(await collectStream(r, 100)).toBe(r);
  });

  it('joins a stream that ends within the budget into the body', async () => {
    async function* events() {
      yield 'a';
      yield 'b';
    }
    const r = await collectStream({ status: 200, headers: { 'content-type': 'text/event-stream' }, stream: events() }, 1000);
    expect(r).toEqual({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: 'ab' });
  });

  it('sends what arrived within the budget and stops the stream', async () => {
    let stopped = false;
    async function* slow() {
      try {
        yield 'first';
        await new Promise((r) => setTimeout(r, 150));
        yield 'second';
        await new Promise((r) => setTimeout(r, 10_000));
        yield 'never';
      } finally {
        stopped = true;
      }
    }
    const start = Date.now();
    const r = await collectStream({ status: 200, stream: slow() }, 80);
    expect(Date.now() - start).toBeLessThan(1000);
    expect(r.body).toBe('first');
    expect(r.stream).toBeUndefined();
    await new Promise((res) => setTimeout(res, 200));
    expect(stopped).toBe(true);
  });
});
