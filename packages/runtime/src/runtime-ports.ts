import type {
  AttemptResultStore,
  Clock,
  ConcurrencySlots,
  ExecutionQueue,
  ExecutionRepository,
  FlowRepository,
  InternalStorage,
  KvStore,
  LogRepository,
  Logger,
  NamespaceFileStore,
  SecretStore,
  TimerStore,
  TriggerStore,
} from '@windhover/core';

/**
 * Every port the runtime needs, built by an edition's composition root
 * (packages/local or packages/aws) and handed to `runtime`. Adding a port
 * means adding it here and to both editions.
 */
export interface RuntimePorts {
  readonly flows: FlowRepository;
  readonly executions: ExecutionRepository;
  readonly logs: LogRepository;
  readonly storage: InternalStorage;
  readonly secrets: SecretStore;
  readonly kv: KvStore;
  readonly namespaceFiles: NamespaceFileStore;
  readonly queue: ExecutionQueue;
  /** Schedule/flow trigger state with conditional writes (exactly-once slots). */
  readonly triggers: TriggerStore;
  /**
   * Timers beyond the queue's 15-minute delay. Optional: without it the
   * engine re-sends a long timer in 15-minute hops through the queue.
   */
  readonly timers?: TimerStore;
  /**
   * Atomic concurrency slots of flows with a limit. Optional: without it the
   * executor counts the flow's active executions, which is exact only when
   * one process decides the starts of a flow.
   */
  readonly slots?: ConcurrencySlots;
  /**
   * Results of the attempts the worker ran, so that a redelivered worker
   * message re-sends the result instead of running the task again.
   */
  readonly attemptResults: AttemptResultStore;
  readonly clock: Clock;
  readonly logger: Logger;
}
