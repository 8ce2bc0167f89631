/**
 * The concurrency slots of flows with `concurrency.limit` (core-spec §6.2),
 * held atomically so that executors deciding starts of one flow in parallel
 * (several Lambdas) never exceed the limit. A flow's slots are a set of
 * execution ids: every operation is idempotent, so redelivered events
 * neither take a second slot nor free someone else's.
 *
 * Next to the holders, the store keeps the flow's waiters: the executions
 * put in QUEUED (recorded before their QUEUED state is saved). The periodic
 * sweep reads both in one strongly consistent read to find queued
 * executions that a lost or lagging release notification left behind,
 * without listing executions.
 */
export interface ConcurrencySlots {
  /**
   * Adds executionId to the flow's active set if it is already there or the set has fewer than `limit` members; returns whether it holds a slot.
   * A granted slot also removes executionId from the waiters.
   */
  tryAcquire(tenantId: string, namespace: string, flowId: string, executionId: string, limit: number): Promise<boolean>;
  /** Removes executionId from the holders and from the waiters (no-op if absent). */
  release(tenantId: string, namespace: string, flowId: string, executionId: string): Promise<void>;
  /** Records executionId as waiting for a slot of the flow (idempotent). */
  markWaiting(tenantId: string, namespace: string, flowId: string, executionId: string): Promise<void>;
  /** The flow's holders and waiters, read consistently (no order). */
  snapshot(tenantId: string, namespace: string, flowId: string): Promise<ConcurrencySlotsSnapshot>;
}

export interface ConcurrencySlotsSnapshot {
  /** Execution ids holding a slot. */
  readonly active: readonly string[];
  /** Execution ids waiting for a slot (QUEUED or about to be). */
  readonly waiting: readonly string[];
}
