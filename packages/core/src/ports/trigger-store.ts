import type { Label } from '../model/flow';
import type { JsonValue } from '../model/json';

/** Identifies one trigger of one flow (core-spec §5.1.2). */
export interface TriggerKey {
  readonly tenantId: string;
  readonly namespace: string;
  readonly flowId: string;
  readonly triggerId: string;
}

/** A backfill in progress (core-spec §5.2, /concepts/backfill). */
export interface BackfillState {
  /** ISO-8601 instants. `end` absent = the moment the backfill was created. */
  readonly start: string;
  readonly end: string;
  /** The next slot the backfill will fire (ISO instant); past `end` = done. */
  readonly currentDate: string;
  readonly inputs?: Readonly<Record<string, JsonValue>>;
  readonly labels?: readonly Label[];
  readonly paused: boolean;
  /** Slots fired so far, for the API's progress display. */
  readonly executed?: number;
  /** When the backfill was created: two backfills of the same range create distinct executions. */
  readonly createdDate?: string;
}

/** One slot that a scheduler claimed and must turn into an execution (the outbox of a claim). */
export interface PendingSlot {
  /** ISO instant of the schedule slot. */
  readonly date: string;
  /** The execution id derived from the trigger and the slot, so a retry creates nothing twice. */
  readonly executionId: string;
  readonly backfill?: boolean;
}

/** Flow-trigger precondition progress inside one time window (core-spec §5.6). */
export interface WindowState {
  /** ISO instants; absent for a sliding window. */
  readonly start?: string;
  readonly end?: string;
  /** Condition key → ISO instant when it was last satisfied, and by which execution. */
  readonly satisfied: Readonly<Record<string, { readonly date: string; readonly executionId: string }>>;
  /** How many times this precondition fired (derives the ids of the executions it creates). */
  readonly fired?: number;
  /** Recent upstream events already counted (`executionId:state`), so a redelivered event counts once. */
  readonly seen?: readonly string[];
  /** The event that caused the last firing: its redelivery re-creates the same execution, idempotently. */
  readonly firedBy?: string;
}

/**
 * Kestra's trigger context: what the scheduler remembers between ticks,
 * plus the toggles of the triggers API. Dates are ISO-8601 instants.
 */
export interface TriggerState extends TriggerKey {
  /** The trigger's type (FQCN) when the state was last written. */
  readonly type: string;
  /** Last slot fired (Kestra's `date`). */
  readonly date?: string;
  /** The next slot the scheduler will consider. */
  readonly nextExecutionDate?: string;
  /** Toggled through the API or by `stopAfter`; the flow's YAML `disabled` is separate. */
  readonly disabled: boolean;
  /** The execution that holds the trigger's lock (allowConcurrent: false). */
  readonly executionId?: string;
  readonly backfill?: BackfillState;
  /** Slots claimed but whose executions may not be created yet. */
  readonly pending?: readonly PendingSlot[];
  /** Fingerprint of the schedule (cron, seconds, timezone): a change restarts it from now. */
  readonly scheduleKey?: string;
  /** Flow-trigger windows by precondition id. */
  readonly windows?: Readonly<Record<string, WindowState>>;
  readonly updatedDate: string;
  /** Optimistic-lock version, set by the store. */
  readonly version: number;
}

export interface TriggerStateQuery {
  readonly namespace?: string;
  /** Match the namespace and its children. */
  readonly namespacePrefix?: string;
  readonly flowId?: string;
}

/**
 * Trigger state with conditional writes. `save` stores `version + 1` only if
 * the stored version is still `expectedVersion` (undefined = must not exist
 * yet) and throws VersionConflictError otherwise: this is what makes a
 * schedule slot fire once even when two ticks overlap or one is retried.
 */
export interface TriggerStore {
  get(key: TriggerKey): Promise<TriggerState | undefined>;
  list(tenantId: string, query?: TriggerStateQuery): Promise<readonly TriggerState[]>;
  /** Returns the state as stored, with its new version. */
  save(state: Omit<TriggerState, 'version'>, expectedVersion: number | undefined): Promise<TriggerState>;
  /** Returns whether a state was deleted. */
  delete(key: TriggerKey): Promise<boolean>;
  /** Deletes every trigger state of a flow (the flow was deleted); returns how many. */
  deleteByFlow(tenantId: string, namespace: string, flowId: string): Promise<number>;
}

/** Stable string form of a trigger key, for logs, maps and derived ids. */
export const triggerKeyString = (k: TriggerKey): string => `${k.tenantId}/${k.namespace}/${k.flowId}/${k.triggerId}`;
