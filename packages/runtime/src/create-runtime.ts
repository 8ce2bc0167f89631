import type { Execution, PluginRegistry, TaskRunner } from '@windhover/core';
import { type Engine, createEngine } from './engine/create-engine';
import { type ApiHandler, createApiHandler } from './http/api-handler';
import type { AuthConfig } from './http/authentication';
import { createRoutes } from './http/routes/index';
import type { RuntimePorts } from './runtime-ports';
import type { ExecutionCommands } from './services/execution-commands';
import { FlowService } from './services/flow-service';
import type { FlowValidator } from './services/flow-validator';
import { FlowTriggerIndex, endNeedsDelivery, handleExecutionEnded, invalidatingFlowRepository, runSchedulerTick } from './triggers/index';
import type { TriggerDeps, TriggerOptions } from './triggers/index';

/** The engine as the composition root and the API see it. */
export interface EngineHandle {
  readonly executions: ExecutionCommands;
  handleExecutorMessage(body: string): Promise<void>;
  handleWorkerMessage(body: string): Promise<void>;
  /** Sends due long timers to the executor; returns how many. */
  fireDueTimers?(limit?: number): Promise<number>;
  /** Starts QUEUED executions left waiting while their flow has a free concurrency slot. */
  sweepQueued?(tenantIds?: readonly string[]): Promise<unknown>;
}

export interface CreateRuntimeOptions {
  readonly auth: AuthConfig;
  /** Public base URL, e.g. http://localhost:8080. */
  readonly baseUrl: string;
  readonly validator: FlowValidator;
  /** Task plugins (createTaskRegistry() from @windhover/tasks). */
  readonly registry: PluginRegistry;
  readonly taskRunner?: (type: string) => TaskRunner | undefined;
  readonly instanceVariables?: Readonly<Record<string, unknown>>;
  readonly triggerOptions?: TriggerOptions;
  readonly tenants?: readonly string[];
  readonly isReady?: () => boolean;
  /** Replaces the engine (API tests that exercise routes only). */
  readonly engine?: (ports: RuntimePorts, flows: FlowService) => EngineHandle;
}

export interface Runtime {
  readonly handler: ApiHandler;
  readonly flows: FlowService;
  readonly engine: EngineHandle;
  /** The scheduler tick: due timers, the QUEUED sweep, then Schedule triggers. Call about once a second (local) or minute (AWS). */
  tick(now?: Date): Promise<void>;
}

/**
 * Services, engine and API handler from an edition's ports. Both editions
 * call this; they differ only in the ports and in how they deliver queue
 * messages to `engine.handleExecutorMessage` / `handleWorkerMessage`.
 */
export function createRuntime(edition: RuntimePorts, options: CreateRuntimeOptions): Runtime {
  const flowTriggers = new FlowTriggerIndex(edition.flows, edition.clock);
  // Every flow saved in this process refreshes the Flow triggers at once.
  const ports: RuntimePorts = { ...edition, flows: invalidatingFlowRepository(edition.flows, flowTriggers) };
  const flows = new FlowService(ports.flows, options.validator, ports.clock);
  let triggerDeps: TriggerDeps | undefined;
  const onTerminated = async (execution: Execution): Promise<void> => {
    if (!triggerDeps) return;
    try {
      await handleExecutionEnded(triggerDeps, execution, ports.clock.now());
    } catch (error) {
      ports.logger.error('flow triggers failed after an execution ended', { executionId: execution.id, error });
    }
  };
  const engine: EngineHandle =
    options.engine?.(ports, flows) ??
    (createEngine(ports, {
      registry: options.registry,
      taskFlows: (tenantId) => flows.taskFlows(tenantId),
      onTerminated,
      // Ended or paused: handleExecutionEnded evaluates Flow triggers for either (the schedule part only for ended ones).
      onPaused: onTerminated,
      endNeedsDelivery: async (execution) => (triggerDeps ? endNeedsDelivery(triggerDeps, execution) : true),
      ...(options.taskRunner ? { taskRunner: options.taskRunner } : {}),
      ...(options.instanceVariables ? { instanceVariables: options.instanceVariables } : {}),
    }) satisfies Engine);
  triggerDeps = {
    ports,
    executions: { create: (request) => engine.executions.create(request) },
    flowTriggers,
    ...(options.triggerOptions || options.tenants ? { options: { ...(options.tenants ? { tenants: options.tenants } : {}), ...options.triggerOptions } } : {}),
  };
  const routes = createRoutes({
    ports,
    flows,
    executions: engine.executions,
    baseUrl: options.baseUrl,
    ...(options.isReady ? { isReady: options.isReady } : {}),
    ...(options.triggerOptions ? { triggerOptions: options.triggerOptions } : {}),
  });
  const handler = createApiHandler({ routes, auth: options.auth, logger: ports.logger, ...(options.tenants ? { tenants: options.tenants } : {}) });
  const deps = triggerDeps;
  return {
    handler,
    flows,
    engine,
    tick: async (now = ports.clock.now()) => {
      await engine.fireDueTimers?.();
      try {
        await engine.sweepQueued?.(options.tenants ?? ['main']);
      } catch (error) {
        // The sweep is a safety net: the Schedule triggers still run.
        ports.logger.error('the sweep of queued executions failed', { error: error instanceof Error ? error.message : String(error) });
      }
      await runSchedulerTick(deps, now);
    },
  };
}
