export type { JsonValue, JsonObject, JsonSchema } from './model/json';
export { STATE_TYPES, isTerminated, isTerminatedNoFail, isFailed, isCreated, isRunning, isPaused } from './model/state';
export type { StateType, State, StateHistory } from './model/state';
export { INPUT_TYPES, LOG_LEVELS } from './model/flow';
export type {
  Flow,
  FlowWithSource,
  Label,
  TaskDefinition,
  TriggerDefinition,
  InputDefinition,
  InputType,
  PluginDefault,
  ConcurrencyDefinition,
  FlowOutputDefinition,
  RetryDefinition,
  LogLevel,
} from './model/flow';
export type { Execution, ExecutionTrigger, TaskRun, TaskRunAttempt, Metric, LogEntry } from './model/execution';
export {
  WindhoverError,
  isWindhoverError,
  NotFoundError,
  FlowNotFoundError,
  ExecutionNotFoundError,
  VersionConflictError,
  AlreadyExistsError,
  ValidationError,
  BadRequestError,
  IllegalStateError,
} from './errors';
export type { Violation } from './errors';
export type { Clock } from './ports/clock';
export type { Logger } from './ports/logger';
export type { FlowRepository, FlowQuery } from './ports/flow-repository';
export type { ExecutionRepository, ExecutionQuery, Page } from './ports/execution-repository';
export type { LogRepository, LogQuery } from './ports/log-repository';
export type { InternalStorage } from './ports/internal-storage';
export { resolveSecret, requireSecret, SecretNotFoundError } from './ports/secret-store';
export type { SecretStore } from './ports/secret-store';
export type { KvStore, KvEntry, KvType, KvPutOptions } from './ports/kv-store';
export type { NamespaceFileStore, NamespaceFileMeta } from './ports/namespace-file-store';
export type { ExecutionQueue, QueueMessage } from './ports/execution-queue';
export { triggerKeyString } from './ports/trigger-store';
export type {
  TriggerStore,
  TriggerState,
  TriggerKey,
  TriggerStateQuery,
  BackfillState,
  PendingSlot,
  WindowState,
} from './ports/trigger-store';
export {
  CronSchedule,
  conditionKind,
  conditionsMatch,
  evaluateCondition,
  isStatefulCondition,
  CONDITION_KINDS,
  SCHEDULE_TRIGGER_TYPES,
  WEBHOOK_TRIGGER_TYPES,
  FLOW_TRIGGER_TYPES,
  isScheduleTrigger,
  isWebhookTrigger,
  isFlowTrigger,
  readScheduleTrigger,
  readLabels,
  readStates,
  planScheduleTick,
  TICK_MS,
  MAX_SLOTS_PER_TICK,
  scheduleVariables,
  releaseScheduleLock,
  triggerExecutionId,
  readTimeWindow,
  windowAt,
  readFlowTrigger,
  flowTriggerAccepts,
  matchingKeys,
  applyToWindow,
  flowTriggerVariables,
  FLOW_TRIGGER_DEFAULT_STATES,
  formatZoned,
  parseZoned,
  parseIsoDuration,
  parseTimeOfDay,
  localFields,
  zoneOffsetMinutes,
  isValidTimeZone,
} from './triggers/index';
export type {
  CronSpec,
  ConditionContext,
  ConditionDefinition,
  ConditionKind,
  HolidayCalendar,
  ScheduleTrigger,
  RecoverMissedSchedules,
  SchedulePlan,
  SchedulePlanInput,
  NewTriggerState,
  ScheduleVariables,
  TimeWindow,
  TimeWindowType,
  WindowAt,
  FlowTrigger,
  Precondition,
  PreconditionKey,
  WhereFilter,
  WindowDecision,
  LocalFields,
  ZonedDate,
} from './triggers/index';
export type { TaskRunner, ScriptJob, ScriptLine, ScriptJobResult, ScriptProtocolMessage } from './ports/task-runner';
export type { PluginDescriptor, PluginKind, TaskCategory } from './plugins/plugin';
export { PluginRegistry } from './plugins/plugin-registry';
export type {
  RunContext,
  TaskLogger,
  TaskStorage,
  TaskLogs,
  TaskKv,
  TaskNamespaceFiles,
  TaskFlows,
  FlowSaveStatus,
  FlowBatchOptions,
  FlowSavePlan,
} from './plugins/run-context';
export type { RunnableTaskPlugin, TaskResult } from './plugins/runnable-task';
export { TaskFailure, toTaskFailure } from './plugins/task-failure';
export {
  render,
  renderTyped,
  renderSync,
  renderTypedSync,
  renderForDisplay,
  printExpressionValue,
  preloadJq,
  isTemplate,
  compile,
  truthy,
  ExpressionError,
  isExpressionError,
  SecretMasker,
  SECRET_MASK,
} from './expressions/index';
export type {
  ExpressionFunctions,
  RenderOptions,
  ExpressionPosition,
  CompiledTemplate,
  ExpressionContext,
} from './expressions/index';
export { decide, decideBatch } from './engine/decide';
export type { Decision } from './engine/decide';
export type {
  ExecutorEvent,
  ExecutionCreatedEvent,
  TaskResultEvent,
  TimerFiredEvent,
  TimerPurpose,
  KillRequestedEvent,
  ResumeRequestedEvent,
  SubflowEndedEvent,
  ConcurrencySlotFreedEvent,
  RestartRequestedEvent,
  TaskRunStateChangeEvent,
  ExecutionStatusChangeEvent,
  UnqueueRequestedEvent,
  ForceRunRequestedEvent,
  PauseRequestedEvent,
  Effect,
  DispatchTaskEffect,
  SetTimerEffect,
  CreateSubflowEffect,
  KillExecutionEffect,
  AbortTaskEffect,
  NotifyParentEffect,
  ExecutionTerminatedEffect,
  ExecutionPausedEffect,
  EngineRenderer,
  InlineTaskRunner,
  InlineTaskResult,
  TaskTypeInfo,
  DecideContext,
} from './engine/engine-types';
export type { EngineState } from './engine/engine-state';
export { coreTaskType, T as CORE_TASK_TYPES } from './engine/core-task-types';
export { newExecution, flowLabels, mergeLabels } from './engine/new-execution';
export type { NewExecutionInput } from './engine/new-execution';
export { buildRunVariables, buildOutputMaps, nestInputs } from './engine/run-variables';
export { buildTaskRunVariables } from './engine/task-run-variables';
export type { TaskRunVariablesOptions } from './engine/task-run-variables';
export { newState, withState, isoDuration } from './engine/state-ops';
export { deriveId } from './engine/ids';
export { parseDurationMs } from './engine/duration';
export { guessFinalState } from './engine/final-state';
export { FlowIndex } from './engine/flow-index';
export { UNQUEUE_STATES } from './engine/state-commands';
export type { TimerStore, TimerRecord } from './ports/timer-store';
export type { ConcurrencySlots, ConcurrencySlotsSnapshot } from './ports/concurrency-slots';
export type { AttemptResultStore, AttemptKey } from './ports/attempt-result-store';
export { resolveInputs, inputId } from './inputs/resolve-inputs';
export { coerceValue, InputCoercionError } from './inputs/coerce';
export { SCHEMA_REFS } from './flow/schema-refs';
export type { SchemaRefName } from './flow/schema-refs';
export {
  normalizeNamespacePath,
  parentNamespacePath,
  namespacePathBaseName,
  namespacePathAncestors,
  isWithinNamespacePath,
  joinNamespacePath,
  MAX_NAMESPACE_FILE_NAME_BYTES,
  MAX_NAMESPACE_FILE_PATH_BYTES,
} from './namespace/namespace-path';
export { assertValidNamespace, namespaceLineage, isNamespaceWithin, MAX_NAMESPACE_LENGTH } from './namespace/namespace-name';
export { assertValidKvKey, MAX_KV_KEY_LENGTH } from './namespace/kv-key';
export {
  KV_TYPES,
  isKvType,
  inferKvType,
  coerceKvValue,
  parseKvRequestBody,
  parseKvDateTime,
  parseKvDate,
} from './namespace/kv-value';
export { parseKvDuration, formatKvDuration, kvExpirationDate, isKvExpired } from './namespace/kv-duration';
export { globToRegExp, compileNamespaceFilePattern, filterNamespacePaths } from './namespace/path-glob';
export type { PathPredicate } from './namespace/path-glob';
export {
  parseNamespaceFilesOptions,
  planNamespaceFiles,
  resolveNamespaceFileConflict,
} from './namespace/namespace-files-options';
export type { NamespaceFilesOptions, NamespaceFilesIfExists, NamespaceFileCopy } from './namespace/namespace-files-options';
export { resolveNamespaceFileRef, isNamespaceFileUri, namespaceFileStorageUri } from './namespace/nsfile-uri';
export { parseFlow, validateFlowSource, validateMultiDocument } from './flow/parse-flow';
export type { FlowValidationOptions, ParseFlowResult, FlowValidationResult } from './flow/parse-flow';
export { buildFlowSchema, FLOW_SCHEMA_ID } from './flow/flow-schema';
export { VALID_INPUT_TYPES } from './flow/input-schema';
export { warmFlowValidator } from './flow/schema-validator';
export { applyPluginDefaults, pluginDefaultMatches } from './flow/plugin-defaults';
export { findPluginInstances } from './flow/plugin-walker';
export type { PluginInstance } from './flow/plugin-walker';
export { RESERVED_FLOW_IDS } from './flow/flow-rules';
export { isIsoDuration } from './flow/iso-duration';
export { cronProblem } from './flow/cron';
export { closeMatches, levenshtein } from './flow/close-matches';
export { flowGraph } from './flow/flow-graph';
export { ionRows, toIonRows } from './expressions/ion-rows';
export type { IonRow } from './expressions/ion-rows';
export type { FlowGraph, FlowGraphOptions, GraphNode, GraphEdge, GraphRelation, GraphRelationType, GraphBranchType, GraphClusterEntry, GraphClusterJson } from './flow/flow-graph';
export { FLOW_LIMITS } from './flow/flow-limits';
