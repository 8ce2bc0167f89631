/**
 * The concurrency slots of flows with `concurrency.limit` (core-spec §6.2),
 * held atomically so that executors deciding starts of one flow in parallel
 * (several Lambdas) never exceed the limit. A flow's slots are a set of
 * execution ids: both operations are idempotent, so redelivered events
 * neither take a second slot nor free someone else's.
 */
export interface ConcurrencySlots {
  /** Adds executionId to the flow's active set if it is already there or the set has fewer than `limit` members; returns whether it holds a slot. */
  tryAcquire(tenantId: string, namespace: string, flowId: string, executionId: string, limit: number): Promise<boolean>;
  /** Removes executionId from the set (no-op if absent). */
  release(tenantId: string, namespace: string, flowId: string, executionId: string): Promise<void>;
}
