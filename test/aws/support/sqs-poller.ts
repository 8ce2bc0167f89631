import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface PolledRecord {
  readonly body: string;
  readonly messageId: string;
  readonly groupId?: string;
  readonly receiveCount: number;
  attribute(name: string): string | undefined;
}

/**
 * What Lambda's SQS event source mapping does, for tests: long-poll batches
 * of up to 10, hand them to `handle`, delete the records it did not report
 * as failed. Failed records stay in flight until the queue's visibility
 * timeout redelivers them. Several pollers run at once (Lambda concurrency).
 */
export class SqsPoller {
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    /** Returns the message ids that failed (partial batch response). */
    private readonly handle: (records: readonly PolledRecord[]) => Promise<readonly string[]>,
    private readonly concurrency = 3,
  ) {}

  start(): this {
    for (let i = 0; i < this.concurrency; i++) this.loops.push(this.loop());
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let messages: Message[] = [];
      try {
        const out = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
            // local-aws-sqs only reads the older parameter name.
            AttributeNames: ['All'],
          }),
        );
        messages = out.Messages ?? [];
      } catch (e) {
        if (this.stopped) return;
        throw e;
      }
      if (messages.length === 0) continue;
      const records: PolledRecord[] = messages.map((m) => ({
        body: m.Body ?? '',
        messageId: m.MessageId ?? '',
        groupId: m.Attributes?.MessageGroupId,
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
        attribute: (name: string) => m.MessageAttributes?.[name]?.StringValue,
      }));
      const failed = new Set(await this.handle(records));
      const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
      if (done.length > 0) {
        await this.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
      }
    }
  }
}

/**
 * Runs records group by group (groups in parallel, records of a group in
 * order) and, like Powertools' FIFO processor with skipGroupOnError, fails
 * the rest of a group after its first failure.
 */
export async function processFifo(
  records: readonly PolledRecord[],
  onRecord: (r: PolledRecord) => Promise<void>,
): Promise<string[]> {
  const groups = new Map<string, PolledRecord[]>();
  for (const r of records) {
    const g = r.groupId ?? r.messageId;
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const failed: string[] = [];
  await Promise.all(
    [...groups.values()].map(async (list) => {
      for (let i = 0; i < list.length; i++) {
        try {
          await onRecord(list[i]);
        } catch {
          failed.push(...list.slice(i).map((r) => r.messageId));
          return;
        }
      }
    }),
  );
  return failed;
}
