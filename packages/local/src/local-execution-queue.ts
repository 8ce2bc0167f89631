import type { ExecutionQueue, Logger, QueueMessage } from '@windhover/core';
import { type SqliteDatabase, inTransaction, statement } from './sqlite-database';

export type LocalQueueName = 'executor' | 'worker';

export interface DeliveryInfo {
  readonly id: string;
  readonly groupId: string;
  /** 1 on the first delivery. */
  readonly receiveCount: number;
}

export type LocalMessageHandler = (body: string, info: DeliveryInfo) => Promise<void>;

export interface DeadLetter {
  readonly id: string;
  readonly groupId: string;
  readonly body: string;
  readonly receiveCount: number;
  readonly error: string;
}

export interface LocalExecutionQueueOptions {
  /** A delivery not finished in this time is redelivered (SQS visibility timeout). */
  readonly visibilityTimeoutMs?: Partial<Record<LocalQueueName, number>>;
  /** Wait before redelivering a message whose handler failed. */
  readonly retryDelayMs?: number;
  /** Deliveries before a failing message goes to the dead letters (SQS maxReceiveCount). */
  readonly maxReceiveCount?: number;
  /** Deduplication window for message ids (SQS FIFO: 5 minutes). */
  readonly dedupWindowMs?: number;
  readonly logger?: Logger;
}

interface Message {
  readonly seq: number;
  readonly id: string;
  readonly groupId: string;
  readonly body: string;
  receiveCount: number;
}

interface Channel {
  readonly name: LocalQueueName;
  /** FIFO per group, one at a time (the executor queue); the worker queue is unordered like a standard SQS queue. */
  readonly fifo: boolean;
  readonly groups: Map<string, Message[]>;
  /** Groups with a deliverable head, in round-robin order. */
  readonly ready: Set<string>;
  /** Groups with a message in flight or waiting for redelivery (FIFO only). */
  readonly blocked: Set<string>;
  readonly dedup: Map<string, number>;
  handler?: LocalMessageHandler;
  concurrency: number;
  inFlight: number;
}

const WORKER_GROUP = '';

/**
 * The local edition's queue, with the semantics the engine expects from SQS:
 * per-group FIFO delivery one message at a time on the executor queue,
 * unordered delivery on the worker queue, delays, deduplication by message id,
 * at-least-once delivery with redelivery on handler failure or timeout, and
 * dead letters after `maxReceiveCount` deliveries. Messages are rows in
 * SQLite until acknowledged, so a restarted process delivers them again.
 */
export class LocalExecutionQueue implements ExecutionQueue {
  private readonly channels: Record<LocalQueueName, Channel>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;
  private readonly retryDelayMs: number;
  private readonly maxReceiveCount: number;
  private readonly dedupWindowMs: number;
  private readonly visibility: Record<LocalQueueName, number>;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly options: LocalExecutionQueueOptions = {},
  ) {
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.maxReceiveCount = options.maxReceiveCount ?? 5;
    this.dedupWindowMs = options.dedupWindowMs ?? 5 * 60_000;
    // In one process a handler that still runs is alive: the timeout only frees a hung one. Long tasks
    // (scripts) must not be delivered twice while they run, hence hours for the worker.
    this.visibility = { executor: 5 * 60_000, worker: 6 * 60 * 60_000, ...options.visibilityTimeoutMs };
    const channel = (name: LocalQueueName, fifo: boolean): Channel => ({
      name,
      fifo,
      groups: new Map(),
      ready: new Set(),
      blocked: new Set(),
      dedup: new Map(),
      concurrency: 1,
      inFlight: 0,
    });
    this.channels = { executor: channel('executor', true), worker: channel('worker', false) };
    db.exec(`CREATE TABLE IF NOT EXISTS queue_messages (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, id TEXT NOT NULL, group_id TEXT NOT NULL,
      body TEXT NOT NULL, available_at INTEGER NOT NULL, receive_count INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS queue_dedup (queue TEXT NOT NULL, id TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (queue, id));
      CREATE TABLE IF NOT EXISTS queue_dead_letters (
      seq INTEGER PRIMARY KEY, queue TEXT NOT NULL, id TEXT NOT NULL, group_id TEXT NOT NULL, body TEXT NOT NULL,
      receive_count INTEGER NOT NULL, error TEXT NOT NULL, failed_at INTEGER NOT NULL)`);
    this.load();
  }

  /** Messages left by a previous process (including those it had in flight) are delivered again. */
  private load(): void {
    const now = Date.now();
    for (const row of statement(this.db, 'SELECT queue, id, expires_at FROM queue_dedup WHERE expires_at > ?').all(now) as {
      queue: LocalQueueName;
      id: string;
      expires_at: number;
    }[]) {
      this.channels[row.queue]?.dedup.set(row.id, row.expires_at);
    }
    const rows = statement(this.db, 'SELECT * FROM queue_messages ORDER BY seq').all() as {
      seq: number;
      queue: LocalQueueName;
      id: string;
      group_id: string;
      body: string;
      available_at: number;
      receive_count: number;
    }[];
    for (const r of rows) {
      const ch = this.channels[r.queue];
      if (!ch) continue;
      const m: Message = { seq: r.seq, id: r.id, groupId: r.group_id, body: r.body, receiveCount: r.receive_count };
      this.schedule(ch, m, r.available_at - now);
    }
  }

  sendToExecutor(messages: readonly QueueMessage[]): Promise<void> {
    return this.send(this.channels.executor, messages);
  }

  sendToWorker(messages: readonly QueueMessage[]): Promise<void> {
    return this.send(this.channels.worker, messages);
  }

  private async send(ch: Channel, messages: readonly QueueMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const now = Date.now();
    const insert = statement(this.db, 'INSERT INTO queue_messages (queue, id, group_id, body, available_at) VALUES (?, ?, ?, ?, ?)');
    const dedup = statement(this.db, 'INSERT OR REPLACE INTO queue_dedup (queue, id, expires_at) VALUES (?, ?, ?)');
    const accepted: { m: Message; delayMs: number }[] = [];
    inTransaction(this.db, () => {
      for (const msg of messages) {
        const seen = ch.dedup.get(msg.id);
        if (seen !== undefined && seen > now) continue;
        const delayMs = Math.max(0, Math.min(900, msg.delaySeconds ?? 0)) * 1000;
        const groupId = ch.fifo ? msg.groupId : WORKER_GROUP;
        const seq = Number(insert.run(ch.name, msg.id, groupId, msg.body, now + delayMs).lastInsertRowid);
        const expires = now + this.dedupWindowMs;
        dedup.run(ch.name, msg.id, expires);
        ch.dedup.set(msg.id, expires);
        accepted.push({ m: { seq, id: msg.id, groupId, body: msg.body, receiveCount: 0 }, delayMs });
      }
    });
    for (const { m, delayMs } of accepted) this.schedule(ch, m, delayMs);
    if (ch.dedup.size > 10_000) this.purgeDedup(ch, now);
  }

  private purgeDedup(ch: Channel, now: number): void {
    for (const [id, exp] of ch.dedup) if (exp <= now) ch.dedup.delete(id);
    statement(this.db, 'DELETE FROM queue_dedup WHERE queue = ? AND expires_at <= ?').run(ch.name, now);
  }

  private schedule(ch: Channel, m: Message, delayMs: number): void {
    if (delayMs <= 0) {
      this.enqueue(ch, m, false);
      this.pump(ch);
      return;
    }
    this.later(delayMs, () => {
      this.enqueue(ch, m, false);
      this.pump(ch);
    });
  }

  private later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }

  /** Puts a message into its group (at the head for a redelivery, so FIFO order holds). */
  private enqueue(ch: Channel, m: Message, head: boolean): void {
    let list = ch.groups.get(m.groupId);
    if (!list) {
      list = [];
      ch.groups.set(m.groupId, list);
    }
    if (head) list.unshift(m);
    else {
      // Keep a group in id order even when delays let later messages arrive first.
      let i = list.length;
      while (i > 0 && list[i - 1].seq > m.seq && !head) i--;
      list.splice(i, 0, m);
    }
    if (!ch.blocked.has(m.groupId)) ch.ready.add(m.groupId);
  }

  /**
   * Starts delivering a queue's messages to `handler`, at most `concurrency` at a time.
   * A handler that throws gets the message again after `retryDelayMs`.
   */
  consume(queue: LocalQueueName, handler: LocalMessageHandler, options: { concurrency?: number } = {}): void {
    const ch = this.channels[queue];
    ch.handler = handler;
    ch.concurrency = Math.max(1, options.concurrency ?? (queue === 'executor' ? 8 : 16));
    this.pump(ch);
  }

  private take(ch: Channel): Message | undefined {
    for (const groupId of ch.ready) {
      ch.ready.delete(groupId);
      const list = ch.groups.get(groupId);
      const m = list?.shift();
      if (!m) continue;
      if (list && list.length === 0) ch.groups.delete(groupId);
      if (ch.fifo) ch.blocked.add(groupId);
      else if (list && list.length > 0) ch.ready.add(groupId);
      return m;
    }
    return undefined;
  }

  private pump(ch: Channel): void {
    if (this.closed || !ch.handler) return;
    while (ch.inFlight < ch.concurrency) {
      const m = this.take(ch);
      if (!m) return;
      this.deliver(ch, ch.handler, m);
    }
  }

  private deliver(ch: Channel, handler: LocalMessageHandler, m: Message): void {
    ch.inFlight++;
    m.receiveCount++;
    let settled = false;
    const settle = (error: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      this.timers.delete(timeout);
      ch.inFlight--;
      if (error === undefined) this.ack(ch, m);
      else this.nack(ch, m, error);
      this.pump(ch);
    };
    const timeout = setTimeout(() => settle(new Error(`visibility timeout of ${this.visibility[ch.name]} ms expired`)), this.visibility[ch.name]);
    this.timers.add(timeout);
    const run = (async () => {
      try {
        await handler(m.body, { id: m.id, groupId: m.groupId, receiveCount: m.receiveCount });
        settle(undefined);
      } catch (e) {
        settle(e ?? new Error('handler failed'));
      }
    })();
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private release(ch: Channel, groupId: string): void {
    if (!ch.fifo) return;
    ch.blocked.delete(groupId);
    if (ch.groups.get(groupId)?.length) ch.ready.add(groupId);
  }

  private ack(ch: Channel, m: Message): void {
    // Acknowledge even while closing: the handler's work is done and the database is still open.
    statement(this.db, 'DELETE FROM queue_messages WHERE seq = ?').run(m.seq);
    this.release(ch, m.groupId);
  }

  private nack(ch: Channel, m: Message, error: unknown): void {
    if (this.closed) return;
    const reason = error instanceof Error ? error.message : String(error);
    if (m.receiveCount >= this.maxReceiveCount) {
      inTransaction(this.db, () => {
        statement(this.db, 'DELETE FROM queue_messages WHERE seq = ?').run(m.seq);
        statement(this.db, 'INSERT OR REPLACE INTO queue_dead_letters (seq, queue, id, group_id, body, receive_count, error, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
          .run(m.seq, ch.name, m.id, m.groupId, m.body, m.receiveCount, reason, Date.now());
      });
      this.options.logger?.error('queue message moved to dead letters', { queue: ch.name, id: m.id, groupId: m.groupId, error: reason });
      this.release(ch, m.groupId);
      return;
    }
    this.options.logger?.warn('queue message will be redelivered', { queue: ch.name, id: m.id, receiveCount: m.receiveCount, error: reason });
    statement(this.db, 'UPDATE queue_messages SET receive_count = ?, available_at = ? WHERE seq = ?')
      .run(m.receiveCount, Date.now() + this.retryDelayMs, m.seq);
    // The group stays blocked until the redelivery: later messages never overtake it.
    this.later(this.retryDelayMs, () => {
      if (ch.fifo) ch.blocked.delete(m.groupId);
      this.enqueue(ch, m, true);
      this.pump(ch);
    });
  }

  /** Messages that failed `maxReceiveCount` times. */
  deadLetters(queue: LocalQueueName): readonly DeadLetter[] {
    const rows = statement(this.db, 'SELECT id, group_id, body, receive_count, error FROM queue_dead_letters WHERE queue = ? ORDER BY seq').all(queue) as {
      id: string;
      group_id: string;
      body: string;
      receive_count: number;
      error: string;
    }[];
    return rows.map((r) => ({ id: r.id, groupId: r.group_id, body: r.body, receiveCount: r.receive_count, error: r.error }));
  }

  /** Messages not yet acknowledged (queued, delayed or in flight). */
  pendingCount(queue?: LocalQueueName): number {
    const row = (
      queue
        ? statement(this.db, 'SELECT COUNT(*) AS n FROM queue_messages WHERE queue = ?').get(queue)
        : statement(this.db, 'SELECT COUNT(*) AS n FROM queue_messages').get()
    ) as { n: number };
    return row.n;
  }

  /**
   * Stops delivering and waits for the handlers in flight, at most `graceMs`;
   * unacknowledged messages stay stored and are delivered again at the next start.
   */
  async close(graceMs = 10_000): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...this.running]), grace]);
    clearTimeout(timer);
  }
}
