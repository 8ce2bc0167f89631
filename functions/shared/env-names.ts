/**
 * Environment variable names shared by the functions (which read them) and
 * the CDK constructs in lib/ (which set them). Dependency-free on purpose:
 * lib/ imports this file without pulling in any runtime code.
 */
export const ENV_NAMES = {
  TABLE_NAME: 'WINDHOVER_TABLE_NAME',
  BUCKET_NAME: 'WINDHOVER_BUCKET_NAME',
  EXECUTOR_QUEUE_URL: 'WINDHOVER_EXECUTOR_QUEUE_URL',
  WORKER_QUEUE_URL: 'WINDHOVER_WORKER_QUEUE_URL',
  EVENT_BUS_NAME: 'WINDHOVER_EVENT_BUS_NAME',
  SECRET_PREFIX: 'WINDHOVER_SECRET_PREFIX',
  SECRET_CACHE_MS: 'WINDHOVER_SECRET_CACHE_MS',
  /** Secrets Manager secret with `{"username","password","apiTokenHashes":[…]}`. */
  AUTH_SECRET_ID: 'WINDHOVER_AUTH_SECRET_ID',
  LOG_RETENTION_DAYS: 'WINDHOVER_LOG_RETENTION_DAYS',
  /** Public base URL of the API (webhook URLs and links in responses). */
  BASE_URL: 'WINDHOVER_BASE_URL',
  TENANTS: 'WINDHOVER_TENANTS',
  FARGATE_CLUSTER_ARN: 'WINDHOVER_FARGATE_CLUSTER_ARN',
  FARGATE_TASK_DEFINITION_ARN: 'WINDHOVER_FARGATE_TASK_DEFINITION_ARN',
  FARGATE_CONTAINER_NAME: 'WINDHOVER_FARGATE_CONTAINER_NAME',
  FARGATE_SUBNETS: 'WINDHOVER_FARGATE_SUBNETS',
  FARGATE_SECURITY_GROUPS: 'WINDHOVER_FARGATE_SECURITY_GROUPS',
  /** Only for S3 emulators in tests: path-style URLs and no streamed checksums. */
  S3_FORCE_PATH_STYLE: 'WINDHOVER_S3_FORCE_PATH_STYLE',
  S3_CHECKSUM_WHEN_REQUIRED: 'WINDHOVER_S3_CHECKSUM_WHEN_REQUIRED',
  /** `false` stops publishing terminal executions to the event bus (default on). */
  EXECUTION_EVENTS: 'WINDHOVER_EXECUTION_EVENTS',
  /** `true` counts every AWS request of the process (cost benchmark). */
  METER_REQUESTS: 'WINDHOVER_METER_REQUESTS',
  /** Set by the Fargate runner on the container: the job to run, staged in S3. */
  JOB_PREFIX: 'WINDHOVER_JOB_PREFIX',
} as const;

export type EnvName = (typeof ENV_NAMES)[keyof typeof ENV_NAMES];

/** Metric namespace of every function's EMF metrics (and of the dashboard). */
export const METRICS_NAMESPACE = 'Windhover';

/** EMF metric names the functions emit and the dashboard graphs (namespace METRICS_NAMESPACE). */
export const METRIC_NAMES = {
  /** Count, dimensions service. */
  EXECUTIONS_STARTED: 'ExecutionsStarted',
  /** Count, dimensions service + state. */
  EXECUTIONS_ENDED: 'ExecutionsEnded',
  /** Milliseconds from start to end of an execution, dimension service. */
  EXECUTION_DURATION: 'ExecutionDuration',
  /** Count of task runs reaching a terminal state, dimensions service + state. */
  TASK_RUNS_ENDED: 'TaskRunsEnded',
  /** Milliseconds from start to end of a task run, dimension service. */
  TASK_RUN_DURATION: 'TaskRunDuration',
  /** Git sync and push task runs by result, dimensions service + result. */
  GIT_SYNCS: 'GitSyncs',
  /** Executor messages handled, dimension service. */
  EXECUTOR_MESSAGES: 'ExecutorMessages',
  /** Schedule slots started by the scheduler tick. */
  SCHEDULED_EXECUTIONS: 'ScheduledExecutions',
} as const;
