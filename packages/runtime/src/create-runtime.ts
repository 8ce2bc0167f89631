import { type ApiHandler, createApiHandler } from './http/api-handler';
import type { AuthConfig } from './http/authentication';
import { createRoutes } from './http/routes/index';
import type { RuntimePorts } from './runtime-ports';
import type { ExecutionCommands } from './services/execution-commands';
import { FlowService } from './services/flow-service';
import type { FlowValidator } from './services/flow-validator';

/** The engine as the composition root sees it: commands for the API, handlers for the two queues. */
export interface EngineHandle {
  readonly executions: ExecutionCommands;
  handleExecutorMessage(body: string): Promise<void>;
  handleWorkerMessage(body: string): Promise<void>;
}

export interface CreateRuntimeOptions {
  readonly auth: AuthConfig;
  /** Public base URL, e.g. http://localhost:8080. */
  readonly baseUrl: string;
  readonly validator: FlowValidator;
  readonly engine: (ports: RuntimePorts, flows: FlowService) => EngineHandle;
  readonly tenants?: readonly string[];
  readonly isReady?: () => boolean;
}

export interface Runtime {
  readonly handler: ApiHandler;
  readonly flows: FlowService;
  readonly engine: EngineHandle;
}

/**
 * Services, engine and API handler from an edition's ports. Both editions
 * call this; they differ only in the ports and in how they deliver queue
 * messages to `engine.handleExecutorMessage` / `handleWorkerMessage`.
 */
export function createRuntime(ports: RuntimePorts, options: CreateRuntimeOptions): Runtime {
  const flows = new FlowService(ports.flows, options.validator, ports.clock);
  const engine = options.engine(ports, flows);
  const routes = createRoutes({
    ports,
    flows,
    executions: engine.executions,
    baseUrl: options.baseUrl,
    ...(options.isReady ? { isReady: options.isReady } : {}),
  });
  const handler = createApiHandler({ routes, auth: options.auth, logger: ports.logger, ...(options.tenants ? { tenants: options.tenants } : {}) });
  return { handler, flows, engine };
}
