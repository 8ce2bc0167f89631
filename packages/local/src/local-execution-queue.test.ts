import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeExecutionQueueContract } from '../../../test/contracts/execution-queue.contract';
import { LocalExecutionQueue } from './local-execution-queue';
import { openSqliteDatabase } from './sqlite-database';

const tempDb = () => join(mkdtempSync(join(tmpdir(), 'wh-queue-')), 'queue.db');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeExecutionQueueContract('LocalExecutionQueue', async () => {
  const q = new LocalExecutionQueue(openSqliteDatabase(tempDb()), { retryDelayMs: 100 });
  return { queue: q, consume: (kind, handler) => q.consume(kind, handler), close: () => q.close() };
});

describe('LocalExecutionQueue', () => {
  it('delivers after a restart the messages a stopped process had not acknowledged', async () => {
    const file = tempDb();
    const first = new LocalExecutionQueue(openSqliteDatabase(file));
    let release: () => void = () => {};
    const blocked = new Promise<void>((r) => {
      release = r;
    });
    first.consume('executor', () => blocked);
    await first.sendToExecutor([
      { id: 'a', groupId: 'g', body: 'in-flight' },
      { id: 'b', groupId: 'g', body: 'queued' },
    ]);
    await first.sendToWorker([{ id: 'c', groupId: 'g', body: 'work', delaySeconds: 1 }]);
    // The process "dies": nothing was acknowledged.
    const closing = first.close();
    release();
    await closing;

    const second = new LocalExecutionQueue(openSqliteDatabase(file));
    const seen: string[] = [];
    second.consume('executor', async (b) => void seen.push(b));
    second.consume('worker', async (b) => void seen.push(b));
    const start = Date.now();
    while (seen.length < 2 && Date.now() - start < 5000) await sleep(10);
    await sleep(100);
    await second.close();
    // 'in-flight' finished while closing, so it was acknowledged; the rest is redelivered in order.
    expect(seen).toEqual(['queued', 'work']);
    expect(second.pendingCount()).toBe(0);
  });

  it('redelivers a message whose handler is still running after the visibility timeout', async () => {
    const q = new LocalExecutionQueue(openSqliteDatabase(tempDb()), { visibilityTimeoutMs: { worker: 100 }, retryDelayMs: 10 });
    let deliveries = 0;
    q.consume('worker', async () => {
      deliveries++;
      if (deliveries === 1) await sleep(1000);
    });
    await q.sendToWorker([{ id: 'slow', groupId: 'g', body: 'x' }]);
    const start = Date.now();
    while (deliveries < 2 && Date.now() - start < 3000) await sleep(10);
    expect(deliveries).toBe(2);
    await q.close();
  });

  it('moves a message that keeps failing to the dead letters and unblocks its group', async () => {
    const q = new LocalExecutionQueue(openSqliteDatabase(tempDb()), { retryDelayMs: 10, maxReceiveCount: 3 });
    const seen: string[] = [];
    let poisonDeliveries = 0;
    q.consume('executor', async (b) => {
      if (b === 'poison') {
        poisonDeliveries++;
        throw new Error('cannot handle');
      }
      seen.push(b);
    });
    await q.sendToExecutor([
      { id: 'p', groupId: 'g', body: 'poison' },
      { id: 'n', groupId: 'g', body: 'next' },
    ]);
    const start = Date.now();
    while (seen.length < 1 && Date.now() - start < 3000) await sleep(10);
    expect(seen).toEqual(['next']);
    expect(poisonDeliveries).toBe(3);
    expect(q.deadLetters('executor')).toEqual([{ id: 'p', groupId: 'g', body: 'poison', receiveCount: 3, error: 'cannot handle' }]);
    expect(q.pendingCount()).toBe(0);
    await q.close();
  });

  it('stops waiting for a hung handler after the grace period and keeps its message for the next start', async () => {
    const file = tempDb();
    const q = new LocalExecutionQueue(openSqliteDatabase(file));
    q.consume('worker', () => new Promise<void>(() => {}));
    await q.sendToWorker([{ id: 'hung', groupId: 'g', body: 'forever' }]);
    await sleep(20);
    const start = Date.now();
    await q.close(200);
    expect(Date.now() - start).toBeLessThan(1000);
    const next = new LocalExecutionQueue(openSqliteDatabase(file));
    const seen: string[] = [];
    next.consume('worker', async (b) => void seen.push(b));
    while (seen.length === 0 && Date.now() - start < 3000) await sleep(10);
    expect(seen).toEqual(['forever']);
    await next.close();
  });

  it('runs worker messages of one execution concurrently', async () => {
    const q = new LocalExecutionQueue(openSqliteDatabase(tempDb()));
    let active = 0;
    let maxActive = 0;
    let done = 0;
    q.consume(
      'worker',
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(50);
        active--;
        done++;
      },
      { concurrency: 4 },
    );
    await q.sendToWorker(Array.from({ length: 8 }, (_, i) => ({ id: `w${i}`, groupId: 'same', body: String(i) })));
    const start = Date.now();
    while (done < 8 && Date.now() - start < 3000) await sleep(10);
    expect(done).toBe(8);
    expect(maxActive).toBe(4);
    await q.close();
  });
});
