import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalScheduler } from './local-scheduler';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('LocalScheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T10:00:20.500Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ticks on every minute boundary', async () => {
    const ticks: string[] = [];
    const s = new LocalScheduler(async (now) => ticks.push(now.toISOString()), { now: () => new Date() }, silent);
    s.start();
    await vi.advanceTimersByTimeAsync(39_400);
    expect(ticks).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(ticks).toEqual(['2026-01-01T10:01:00.000Z']);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(ticks).toEqual(['2026-01-01T10:01:00.000Z', '2026-01-01T10:02:00.000Z', '2026-01-01T10:03:00.000Z']);
    await s.stop();
    await vi.advanceTimersByTimeAsync(300_000);
    expect(ticks).toHaveLength(3);
  });

  it('never overlaps ticks and goes on after a failing one', async () => {
    const started: string[] = [];
    const errors: unknown[] = [];
    let calls = 0;
    const s = new LocalScheduler(
      async (now) => {
        started.push(now.toISOString());
        calls++;
        if (calls === 1) {
          await new Promise((r) => setTimeout(r, 90_000));
          throw new Error('boom');
        }
      },
      { now: () => new Date() },
      { ...silent, error: (_m: string, a?: Readonly<Record<string, unknown>>) => errors.push(a?.error) },
    );
    s.start();
    await vi.advanceTimersByTimeAsync(39_500 + 90_000);
    // The 10:02 boundary passed while the first tick ran: the next tick is the boundary after it ended.
    expect(started).toEqual(['2026-01-01T10:01:00.000Z']);
    expect(errors).toEqual(['boom']);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(started).toEqual(['2026-01-01T10:01:00.000Z', '2026-01-01T10:03:00.000Z']);
    await s.stop();
  });
});
