/**
 * A timer that fires later than a queue delay allows (SQS: 15 minutes):
 * Sleep, Pause with a long duration, retry backoff, LoopUntil intervals,
 * scheduled starts. The scheduler tick reads the due ones and hands their
 * `body` (an executor message) to the executor queue.
 */
export interface TimerRecord {
  /** Deterministic id (the effect id): putting the same timer twice keeps one. */
  readonly id: string;
  readonly tenantId: string;
  readonly executionId: string;
  /** ISO-8601 instant at which the timer is due. */
  readonly fireAt: string;
  /** The executor message to send when due (small JSON). */
  readonly body: string;
}

export interface TimerStore {
  /** Stores a timer; idempotent by id. */
  put(timer: TimerRecord): Promise<void>;
  /** Timers with `fireAt <= now`, earliest first, at most `limit`. */
  due(now: Date, limit: number): Promise<readonly TimerRecord[]>;
  /** Removes a timer once its message was sent; deleting an absent timer is not an error. */
  delete(id: string): Promise<void>;
}
