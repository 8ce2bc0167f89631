import type { Execution, HolidayCalendar, RecoverMissedSchedules } from '@windhover/core';
import type { RuntimePorts } from '../runtime-ports';
import type { CreateExecutionRequest } from '../services/execution-commands';
import type { FlowTriggerIndex } from './flow-trigger-index';

/**
 * A request to start an execution on behalf of a trigger. `id` is derived
 * from the trigger and the occasion (slot, upstream execution, window
 * firing): the engine creates the execution with exactly this id, and a
 * second request with the same id returns the existing execution instead
 * of starting another one. That is what makes retried ticks and
 * redelivered events harmless.
 */
export type TriggeredExecutionRequest = CreateExecutionRequest & { readonly id: string };

/** The part of the engine that triggers use. */
export interface TriggerExecutions {
  create(request: TriggeredExecutionRequest): Promise<Execution>;
  /** Resolves when the execution is terminal, or with its current state after `timeoutMs`; polled when absent. */
  waitForTerminal?(tenantId: string, executionId: string, timeoutMs?: number): Promise<Execution>;
}

export interface TriggerOptions {
  /** Tenants the scheduler ticks for (default `main`, Kestra OSS's only tenant). */
  readonly tenants?: readonly string[];
  /** Global default of Schedule.recoverMissedSchedules (Kestra's plugin configuration), ALL unless set. */
  readonly recoverMissedSchedules?: RecoverMissedSchedules;
  readonly holidays?: HolidayCalendar;
  /** Largest webhook body accepted (bytes); larger requests get 413. Default 10 MiB. */
  readonly webhookMaxBodyBytes?: number;
  /** How long a `wait: true` webhook holds the request (ms). Default 29 s (API Gateway's limit). */
  readonly webhookWaitTimeoutMs?: number;
  /** Poll interval while waiting for an execution to end (ms). Default 100. */
  readonly webhookPollMs?: number;
}

/** What the trigger services need: the runtime ports, the engine's create, options. */
export interface TriggerDeps {
  readonly ports: Pick<RuntimePorts, 'flows' | 'executions' | 'triggers' | 'secrets' | 'kv' | 'logger' | 'clock'>;
  readonly executions: TriggerExecutions;
  readonly options?: TriggerOptions;
  /** The tenant's Flow triggers, cached; without it every ended execution lists the flows. */
  readonly flowTriggers?: FlowTriggerIndex;
}

/**
 * Creates a triggered execution once: when an execution with the derived id
 * exists already (a retried tick, a redelivered event), it is returned.
 */
export async function createTriggeredExecution(
  deps: TriggerDeps,
  request: TriggeredExecutionRequest,
  options: { mayExist?: boolean } = {},
): Promise<Execution> {
  // A retry (a pending slot, a redelivered event) looks first; a fresh claim goes straight to create.
  if (options.mayExist !== false) {
    const existing = await deps.ports.executions.get(request.tenantId, request.id);
    if (existing) return existing;
  }
  try {
    return await deps.executions.create(request);
  } catch (e) {
    const raced = await deps.ports.executions.get(request.tenantId, request.id);
    if (raced) return raced;
    throw e;
  }
}
