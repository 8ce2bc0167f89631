/**
 * Messages for the executor (ordered per execution) and the workers.
 * Delivery is at-least-once: `id` is a deterministic deduplication id.
 */
export interface QueueMessage {
  readonly id: string;
  /** Messages of one group are delivered in order, one at a time (the execution id). */
  readonly groupId: string;
  readonly body: string;
  /** Up to 900 s (SQS's limit); longer delays are timers. */
  readonly delaySeconds?: number;
}

export interface ExecutionQueue {
  sendToExecutor(messages: readonly QueueMessage[]): Promise<void>;
  sendToWorker(messages: readonly QueueMessage[]): Promise<void>;
}
