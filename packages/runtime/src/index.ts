export type { RuntimePorts } from './runtime-ports';
export type { ApiRequest, ApiResponse, Route, RouteContext, PathParams } from './http/http-types';
export { createRuntime } from './create-runtime';
export type { CreateRuntimeOptions, EngineHandle, Runtime } from './create-runtime';
export { createApiHandler } from './http/api-handler';
export type { ApiHandler, ApiHandlerOptions } from './http/api-handler';
export { authenticate, hashApiToken } from './http/authentication';
export type { AuthConfig, BasicCredentials } from './http/authentication';
export { toErrorResponse, statusForCode, errorBody } from './http/error-response';
export { HttpError } from './http/http-error';
export { Router } from './http/router';
export { parseMultipart, multipartBoundary } from './http/multipart';
export type { MultipartPart } from './http/multipart';
export { bodyText, bodyJson, bodyYaml, bodyForm, queryAll, queryOne, queryInt, queryBool, queryFilters, json, noContent } from './http/request';
export type { FormData, QueryFilter } from './http/request';
export type { ApiDeps, RouteModule } from './http/api-deps';
export { createRoutes, ROUTE_MODULES } from './http/routes/index';
export { FlowService, normalizeSource, replaceNamespace } from './services/flow-service';
export type { FlowValidationResult } from './services/flow-service';
export { splitYamlDocuments } from './services/flow-validator';
export { createCoreFlowValidator, validationRegistry } from './services/core-flow-validator';
export type { FlowValidator, FlowValidation } from './services/flow-validator';
export type { ExecutionCommands, CreateExecutionRequest, UploadedInputFile } from './services/execution-commands';
export {
  runSchedulerTick,
  evaluateSchedule,
  handleExecutionEnded,
  evaluateFlowTriggers,
  endNeedsDelivery,
  FlowTriggerIndex,
  invalidatingFlowRepository,
  TriggerService,
  handleWebhook,
  verifySignature,
} from './triggers/index';
export type {
  SchedulerTickResult,
  ExecutionEndedResult,
  TriggerDeps,
  TriggerExecutions,
  TriggerOptions,
  TriggeredExecutionRequest,
  TriggerContextJson,
  BackfillRequest,
  WebhookRequest,
  SignatureSpec,
} from './triggers/index';
export { createEngine } from './engine/create-engine';
export type { Engine, EngineOptions } from './engine/create-engine';
export type { QueuedSweepResult } from './engine/queued-sweep';
export { ExecutionService, newExecutionId } from './engine/execution-service';
export { parseExecutorMessage, parseWorkerMessage, MAX_QUEUE_DELAY_SECONDS } from './engine/messages';
export type { ExecutorMessage, WorkerMessage } from './engine/messages';
export { applyPluginDefaults } from './engine/flow-loader';
export { createRunContext } from './engine/run-context-factory';
export type { RunContextInput } from './engine/run-context-factory';
export { BufferedTaskLogger } from './engine/task-logger';
export { KvService } from './services/kv-service';
export type { KvWriteOptions } from './services/kv-service';
export {
  NamespaceFileService,
  PayloadTooLargeError,
  DEFAULT_MAX_NAMESPACE_FILE_BYTES,
} from './services/namespace-file-service';
export type { FileAttributes, NamespaceFileServiceOptions } from './services/namespace-file-service';
export { namespaceFileRoutesWith } from './http/routes/namespace-files';
