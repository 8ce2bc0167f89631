import { type SQSClient, SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { ExecutionQueue, QueueMessage } from '@windhover/core';
import { sha256 } from './dynamo-keys';

/** Message attribute that carries the deterministic message id on every queue. */
export const MESSAGE_ID_ATTRIBUTE = 'windhover-id';
/**
 * A delayed executor message travels through the (standard) worker queue,
 * because FIFO queues have no per-message delay; the worker function forwards
 * it to the executor queue when it arrives. These attributes say where to.
 */
export const FORWARD_GROUP_ATTRIBUTE = 'windhover-forward-group';

/** SQS ids allow 1-128 characters of [A-Za-z0-9!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~]. */
const safeId = (id: string): string => (/^[\x21-\x7e]{1,128}$/.test(id) ? id : sha256(id));

/**
 * The executor queue is FIFO: MessageGroupId is the execution id (ordered,
 * one at a time per execution, parallel across executions) and the
 * deduplication id is the message's deterministic id, so a re-sent effect is
 * dropped by SQS within its 5-minute window (and by the executor's applied-
 * event check after it). The worker queue is standard: at-least-once, any order.
 */
export class SqsExecutionQueue implements ExecutionQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly executorQueueUrl: string,
    private readonly workerQueueUrl: string,
  ) {}

  async sendToExecutor(messages: readonly QueueMessage[]): Promise<void> {
    const now = messages.filter((m) => !m.delaySeconds);
    const later = messages.filter((m) => m.delaySeconds);
    await this.sendAll(
      this.executorQueueUrl,
      now.map((m) => ({
        Id: '',
        MessageBody: m.body,
        MessageGroupId: safeId(m.groupId),
        MessageDeduplicationId: safeId(m.id),
        MessageAttributes: { [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: m.id } },
      })),
    );
    await this.sendAll(
      this.workerQueueUrl,
      later.map((m) => ({
        Id: '',
        MessageBody: m.body,
        DelaySeconds: Math.min(900, Math.max(0, Math.round(m.delaySeconds ?? 0))),
        MessageAttributes: {
          [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: m.id },
          [FORWARD_GROUP_ATTRIBUTE]: { DataType: 'String', StringValue: m.groupId },
        },
      })),
    );
  }

  async sendToWorker(messages: readonly QueueMessage[]): Promise<void> {
    await this.sendAll(
      this.workerQueueUrl,
      messages.map((m) => ({
        Id: '',
        MessageBody: m.body,
        ...(m.delaySeconds ? { DelaySeconds: Math.min(900, Math.max(0, Math.round(m.delaySeconds))) } : {}),
        MessageAttributes: { [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: m.id } },
      })),
    );
  }

  /** Sends in batches of 10, retrying entries SQS reports as failed (throttling) a few times. */
  private async sendAll(queueUrl: string, entries: SendMessageBatchRequestEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += 10) {
      let batch = entries.slice(i, i + 10).map((e, j) => ({ ...e, Id: String(j) }));
      for (let attempt = 0; batch.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
        const out = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch }));
        const failed = out.Failed ?? [];
        if (failed.length === 0) break;
        const fatal = failed.find((f) => f.SenderFault);
        if (fatal || attempt >= 4) {
          throw new Error(`SQS rejected ${failed.length} message(s): ${fatal?.Code ?? failed[0].Code} ${fatal?.Message ?? failed[0].Message ?? ''}`);
        }
        const ids = new Set(failed.map((f) => f.Id));
        batch = batch.filter((e) => ids.has(e.Id));
      }
    }
  }
}

/**
 * If a worker-queue message is a delayed executor message in transit, the
 * QueueMessage to forward to the executor queue (same id, so a duplicate
 * forward is deduplicated there); otherwise undefined. `attribute` reads a
 * message attribute (Lambda events and SDK responses spell them differently).
 */
export function delayedExecutorMessage(
  body: string,
  attribute: (name: string) => string | undefined,
): QueueMessage | undefined {
  const groupId = attribute(FORWARD_GROUP_ATTRIBUTE);
  const id = attribute(MESSAGE_ID_ATTRIBUTE);
  return groupId !== undefined && id !== undefined ? { id, groupId, body } : undefined;
}
