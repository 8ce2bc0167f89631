import type { JsonValue } from '../model/json';
import type { Effect } from './engine-types';

/**
 * Engine bookkeeping stored with an execution (not part of Kestra's JSON):
 * recently applied event ids, the outbox of the last step, and per-task-run
 * data flowable tasks need between steps.
 */
export interface EngineState {
  /** Ids of the most recently applied events (bounded). */
  readonly appliedEvents: readonly string[];
  /** Effects of the last applied event; re-dispatched when that event is redelivered. */
  readonly outbox: readonly Effect[];
  /** Rendered ForEach values, by ForEach task run id. */
  readonly loopValues?: Readonly<Record<string, readonly string[]>>;
  /** Instant of the first attempt of a retried task run (for maxDuration). */
  readonly firstAttemptAt?: Readonly<Record<string, string>>;
  /** Task runs whose outputs are kept in internal storage: task run id -> URI. */
  readonly outputRefs?: Readonly<Record<string, string>>;
  /** Child execution id of each Subflow task run. */
  readonly subflows?: Readonly<Record<string, string>>;
  /** Set once the terminal state has been announced (execution-terminated effect). */
  readonly terminated?: boolean;
  /** Set once the flow-level retry or other one-off decisions were taken. */
  readonly flags?: Readonly<Record<string, JsonValue>>;
}

/** How many applied event ids are remembered; older duplicates are caught by state checks. */
export const APPLIED_EVENTS_KEPT = 256;
