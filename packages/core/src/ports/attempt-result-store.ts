/** Identifies one attempt of one task run. */
export interface AttemptKey {
  readonly tenantId: string;
  readonly executionId: string;
  readonly taskRunId: string;
  readonly attempt: number;
}

/**
 * The results of the attempts a worker ran, kept so that the at-least-once
 * worker queue cannot run a task twice: a redelivered worker message (its
 * acknowledgement was lost, or the executor has not applied the result yet)
 * re-sends the stored result instead of running the task again.
 *
 * Values are the result message (the executor message the worker sent) as
 * JSON text; a put of the same key replaces the value. An entry is kept at
 * least until `expiresAt` (chosen longer than a worker message can live in
 * its queue) and may be dropped any time after it; `get` never returns an
 * entry whose `expiresAt` is at or before `now`.
 *
 * A read may miss a put made a moment before (an eventually consistent
 * store): redeliveries arrive a visibility timeout after the first delivery,
 * long after the write.
 */
export interface AttemptResultStore {
  /** The stored result of the attempt, or undefined when none is stored or it expired at `now`. */
  get(key: AttemptKey, now: Date): Promise<string | undefined>;
  /** Stores the result of the attempt until `expiresAt`; `now` lets the store drop entries already expired. */
  put(key: AttemptKey, result: string, expiresAt: Date, now: Date): Promise<void>;
}
