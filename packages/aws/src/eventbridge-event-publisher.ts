import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { JsonValue } from '@windhover/core';

/** One execution event for the bus (execution state changes, flow-trigger input). */
export interface ExecutionEvent {
  /** e.g. `Execution SUCCESS`; becomes the EventBridge `detail-type`. */
  readonly type: string;
  readonly detail: Readonly<Record<string, JsonValue>>;
  /** ISO-8601 instant. */
  readonly time?: string;
}

/** Source of every event we publish; users' own rules match on it. */
export const EVENT_SOURCE = 'windhover';

/**
 * Publishes execution events to an EventBridge bus in batches of 10 (the
 * PutEvents limit), retrying entries EventBridge failed. Users attach their
 * own rules (e.g. `detail-type: Execution FAILED`, `detail.namespace`).
 */
export class EventBridgeEventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: readonly ExecutionEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 10) {
      let entries: PutEventsRequestEntry[] = events.slice(i, i + 10).map((e) => ({
        EventBusName: this.busName,
        Source: EVENT_SOURCE,
        DetailType: e.type,
        Detail: JSON.stringify(e.detail),
        ...(e.time ? { Time: new Date(e.time) } : {}),
      }));
      for (let attempt = 0; entries.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
        const out = await this.client.send(new PutEventsCommand({ Entries: entries }));
        if (!out.FailedEntryCount) break;
        if (attempt >= 4) throw new Error(`EventBridge rejected ${out.FailedEntryCount} event(s)`);
        const results = out.Entries ?? [];
        entries = entries.filter((_, j) => results[j]?.ErrorCode);
      }
    }
  }
}
