import type { ExecutionQueue, QueueMessage } from '@windhover/core';
import { afterEach, describe, expect, it } from 'vitest';

export type QueueKind = 'executor' | 'worker';

/**
 * What a queue test needs beyond the port: a way to consume (the local
 * edition's in-process loop, or an SQS poller for the AWS edition) and to stop.
 * The adapter must be configured so a failed message is redelivered within a few seconds.
 */
export interface QueueHarness {
  readonly queue: ExecutionQueue;
  consume(kind: QueueKind, handler: (body: string) => Promise<void>): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await sleep(10);
  }
}

let seq = 0;
const msg = (groupId: string, body: string, extra: Partial<QueueMessage> = {}): QueueMessage => ({
  id: `${groupId}-${body}-${Date.now().toString(36)}-${++seq}`,
  groupId,
  body,
  ...extra,
});

/** The ExecutionQueue contract: delivery, per-execution order, dedup, redelivery, delays. */
export function describeExecutionQueueContract(name: string, makeHarness: () => Promise<QueueHarness>): void {
  describe(`ExecutionQueue contract: ${name}`, () => {
    const open: QueueHarness[] = [];
    const harness = async () => {
      const h = await makeHarness();
      open.push(h);
      return h;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((h) => h.close()));
    });

    it('delivers every message sent to the executor and to the worker', async () => {
      const h = await harness();
      const exec: string[] = [];
      const work: string[] = [];
      h.consume('executor', async (b) => void exec.push(b));
      h.consume('worker', async (b) => void work.push(b));
      await h.queue.sendToExecutor([msg('g1', 'e1'), msg('g2', 'e2')]);
      await h.queue.sendToWorker([msg('g1', 'w1'), msg('g1', 'w2'), msg('g3', 'w3')]);
      await waitFor(() => exec.length === 2 && work.length === 3);
      expect(exec.sort()).toEqual(['e1', 'e2']);
      expect(work.sort()).toEqual(['w1', 'w2', 'w3']);
    });

    it('delivers executor messages of one group in order, one at a time', async () => {
      const h = await harness();
      const seen: string[] = [];
      let active = 0;
      let maxActive = 0;
      h.consume('executor', async (b) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(5);
        seen.push(b);
        active--;
      });
      const bodies = Array.from({ length: 20 }, (_, i) => `m${i}`);
      await h.queue.sendToExecutor(bodies.slice(0, 10).map((b) => msg('ordered', b)));
      await h.queue.sendToExecutor(bodies.slice(10).map((b) => msg('ordered', b)));
      await waitFor(() => seen.length === 20);
      expect(seen).toEqual(bodies);
      expect(maxActive).toBe(1);
    });

    it('does not hold other executions behind a slow one', async () => {
      const h = await harness();
      const done: string[] = [];
      let releaseSlow: () => void = () => {};
      const slow = new Promise<void>((r) => {
        releaseSlow = r;
      });
      h.consume('executor', async (b) => {
        if (b === 'slow') await slow;
        done.push(b);
      });
      await h.queue.sendToExecutor([msg('A', 'slow'), msg('A', 'after-slow')]);
      await sleep(50);
      await h.queue.sendToExecutor([msg('B', 'fast')]);
      await waitFor(() => done.includes('fast'));
      expect(done).not.toContain('after-slow');
      releaseSlow();
      await waitFor(() => done.length === 3);
      expect(done).toEqual(['fast', 'slow', 'after-slow']);
    });

    it('ignores an executor message whose id was already sent', async () => {
      const h = await harness();
      const seen: string[] = [];
      h.consume('executor', async (b) => void seen.push(b));
      const m = msg('dedup', 'once');
      await h.queue.sendToExecutor([m]);
      await h.queue.sendToExecutor([m]);
      await h.queue.sendToExecutor([msg('dedup', 'marker')]);
      await waitFor(() => seen.includes('marker'));
      await sleep(200);
      expect(seen.filter((b) => b === 'once').length).toBe(1);
    });

    it('redelivers an executor message whose handler failed, before later messages of its group', async () => {
      const h = await harness();
      const seen: string[] = [];
      let failures = 0;
      h.consume('executor', async (b) => {
        if (b === 'flaky' && failures === 0) {
          failures++;
          throw new Error('handler crashed');
        }
        seen.push(b);
      });
      await h.queue.sendToExecutor([msg('retry', 'flaky'), msg('retry', 'next')]);
      await waitFor(() => seen.length === 2, 60_000);
      expect(failures).toBe(1);
      expect(seen).toEqual(['flaky', 'next']);
    });

    it('redelivers a worker message whose handler failed', async () => {
      const h = await harness();
      let attempts = 0;
      let done = false;
      h.consume('worker', async () => {
        attempts++;
        if (attempts === 1) throw new Error('worker died');
        done = true;
      });
      await h.queue.sendToWorker([msg('w', 'task')]);
      await waitFor(() => done, 60_000);
      expect(attempts).toBe(2);
    });

    it('holds a delayed message back for its delay', async () => {
      const h = await harness();
      const at: Record<string, number> = {};
      h.consume('executor', async (b) => {
        at[b] = Date.now();
      });
      h.consume('worker', async (b) => {
        at[b] = Date.now();
      });
      const sent = Date.now();
      await h.queue.sendToExecutor([msg('delay', 'later', { delaySeconds: 2 }), msg('delay2', 'now')]);
      await h.queue.sendToWorker([msg('delay', 'worker-later', { delaySeconds: 2 })]);
      await waitFor(() => 'later' in at && 'worker-later' in at && 'now' in at, 30_000);
      expect(at['later'] - sent).toBeGreaterThanOrEqual(1900);
      expect(at['worker-later'] - sent).toBeGreaterThanOrEqual(1900);
      expect(at['now'] - sent).toBeLessThan(1500);
    });
  });
}
