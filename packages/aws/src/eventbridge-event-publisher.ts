import {
  type EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { JsonValue, Logger } from '@windhover/core';

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

/** How long a process trusts its answer to "does the bus have a rule?" unless told otherwise. */
export const DEFAULT_RULE_CACHE_MS = 60_000;

export interface EventBridgePublisherOptions {
  /**
   * How long (ms) a process reuses the answer of ListRules (default 60 s;
   * 0 asks before every publish). A rule added to the bus is seen within
   * this time; ListRules is free but rate limited, hence the cache.
   */
  readonly ruleCacheMs?: number;
  /** Milliseconds clock (tests inject one). */
  readonly now?: () => number;
  /** Told when ListRules fails (the events are then published anyway). */
  readonly logger?: Pick<Logger, 'warn'>;
}

/**
 * Publishes execution events to an EventBridge bus in batches of 10 (the
 * PutEvents limit), retrying entries EventBridge failed. Users attach their
 * own rules (e.g. `detail-type: Execution FAILED`, `detail.namespace`).
 *
 * EventBridge charges every PutEvents entry whether or not a rule matches,
 * so the publisher first asks whether the bus has any enabled rule
 * (ListRules, cached per process) and sends nothing while it has none. When
 * that question cannot be answered (ListRules fails), it publishes: the
 * check saves money, it never loses events.
 */
export class EventBridgeEventPublisher {
  private readonly ruleCacheMs: number;
  private readonly now: () => number;
  private readonly logger?: Pick<Logger, 'warn'>;
  private known?: { readonly hasRules: boolean; readonly until: number };
  private asking?: Promise<boolean>;

  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    options: EventBridgePublisherOptions = {},
  ) {
    this.ruleCacheMs = Math.max(0, options.ruleCacheMs ?? DEFAULT_RULE_CACHE_MS);
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
  }

  async publish(events: readonly ExecutionEvent[]): Promise<void> {
    if (events.length === 0 || !(await this.busHasRules())) return;
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

  /**
   * Whether the bus has at least one enabled rule, i.e. whether a published
   * event could reach anyone. True when EventBridge cannot tell. Concurrent
   * callers share one ListRules walk; the answer is reused for `ruleCacheMs`.
   */
  async busHasRules(): Promise<boolean> {
    if (this.known && this.now() < this.known.until) return this.known.hasRules;
    this.asking ??= this.listRules().finally(() => {
      this.asking = undefined;
    });
    return this.asking;
  }

  private async listRules(): Promise<boolean> {
    let hasRules = false;
    try {
      let token: string | undefined;
      do {
        const out = await this.client.send(
          new ListRulesCommand({ EventBusName: this.busName, Limit: 100, ...(token ? { NextToken: token } : {}) }),
        );
        // A DISABLED rule matches nothing; ENABLED and ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS do.
        hasRules = (out.Rules ?? []).some((r) => r.State !== 'DISABLED');
        token = hasRules ? undefined : out.NextToken;
      } while (token);
    } catch (error) {
      hasRules = true;
      this.logger?.warn('ListRules failed: publishing execution events without knowing whether the bus has rules', {
        eventBusName: this.busName,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
    this.known = { hasRules, until: this.now() + this.ruleCacheMs };
    return hasRules;
  }
}
