import {
  type AwsClients,
  type AwsPorts,
  EcsFargateTaskRunner,
  type ExecutionEvent,
  FARGATE_RUNNER,
  createAwsPorts,
  requestMeter,
} from '@windhover/aws';
import type { Execution, Logger, TaskRunner } from '@windhover/core';
import { type AuthConfig, type Runtime, createCoreFlowValidator, createRuntime } from '@windhover/runtime';
import { DOCKER_RUNNER, createTaskRegistry } from '@windhover/tasks';
import { loadAuthConfig } from './auth-config';
import { ENV_NAMES, type FunctionConfig } from './env';
import { MeteredExecutionRepository, type MetricsSink, findTaskType } from './metered-execution-repository';

const NO_METRICS: MetricsSink = { count: () => {}, milliseconds: () => {} };

/** The EventBridge event of an execution that ended (`detail-type: Execution SUCCESS`, source `windhover`). */
export function executionEvent(e: Execution): ExecutionEvent {
  return {
    type: `Execution ${e.state.current}`,
    time: e.state.endDate ?? e.state.startDate,
    detail: {
      tenantId: e.tenantId,
      namespace: e.namespace,
      flowId: e.flowId,
      flowRevision: e.flowRevision,
      executionId: e.id,
      state: e.state.current,
      startDate: e.state.startDate,
      ...(e.state.endDate ? { endDate: e.state.endDate } : {}),
      labels: e.labels.map((l) => ({ key: l.key, value: l.value })),
      ...(e.parentId ? { parentId: e.parentId } : {}),
    },
  };
}

/** Everything a function needs, built once per cold start. */
export interface AwsApp {
  readonly config: FunctionConfig;
  readonly ports: AwsPorts;
  readonly runtime: Runtime;
}

/** Kestra's container runner types that run as Fargate tasks in the AWS edition, in the task's `containerImage` (see EcsFargateTaskRunner). */
const FARGATE_TYPES = new Set([FARGATE_RUNNER, DOCKER_RUNNER, 'io.kestra.plugin.ee.aws.runner.Batch']);

/**
 * The AWS edition's composition root: adapters from the environment, the
 * shared runtime (API handler, engine, scheduler tick), Fargate for
 * container task runners, credentials from Secrets Manager.
 */
export async function createAwsApp(
  config: FunctionConfig,
  deps: {
    readonly logger: Logger;
    readonly metrics?: MetricsSink;
    readonly clients?: AwsClients;
    readonly auth?: AuthConfig;
    /** Queue consumers buffer log lines per message and flush them once (ports.logs.flush()). */
    readonly bufferLogs?: boolean;
  },
): Promise<AwsApp> {
  const base = createAwsPorts(config.aws, {
    logger: deps.logger,
    bufferLogs: deps.bufferLogs ?? false,
    ...(deps.clients ? { clients: deps.clients } : {}),
  });
  if (config.meterRequests) requestMeter.attach(base.clients);
  const events = base.events;
  const observed = new MeteredExecutionRepository(base.executions, deps.metrics ?? NO_METRICS, {
    taskType: async (execution, taskId) => {
      const flow = await base.flows.get(execution.tenantId, execution.namespace, execution.flowId, execution.flowRevision);
      return flow ? findTaskType([...flow.flow.tasks, ...(flow.flow.errors ?? []), ...(flow.flow.finally ?? [])], taskId) : undefined;
    },
    // Terminal executions on the event bus, for users' own rules (at most once: a failed publish is logged).
    // The publisher skips PutEvents (billed per entry, matched or not) while the bus has no enabled rule.
    ...(events && config.executionEvents
      ? {
          terminated: async (execution) => {
            try {
              await events.publish([executionEvent(execution)]);
            } catch (error) {
              deps.logger.error('execution event not published', { executionId: execution.id, error });
            }
          },
        }
      : {}),
  });
  const ports: AwsPorts = { ...base, executions: observed };
  const auth = deps.auth ?? (await loadAuthConfig(ports.clients.secrets, config.authSecretId));
  const fargate = config.aws.fargate
    ? new EcsFargateTaskRunner(ports.clients.ecs, ports.clients.s3, {
        fargate: config.aws.fargate,
        bucket: config.aws.bucketName,
        jobPrefixEnv: ENV_NAMES.JOB_PREFIX,
      })
    : undefined;
  const registry = createTaskRegistry();
  const runtime = createRuntime(ports, {
    auth,
    baseUrl: config.baseUrl,
    validator: createCoreFlowValidator(registry),
    registry,
    tenants: config.tenants,
    taskRunner: (type: string): TaskRunner | undefined => (fargate && FARGATE_TYPES.has(type) ? fargate : undefined),
  });
  return { config, ports, runtime };
}

/** A once-per-process promise of the app, so handlers can await it on every invocation. */
export function memoize<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= make().catch((e: unknown) => {
      p = undefined;
      throw e;
    });
    return p;
  };
}
