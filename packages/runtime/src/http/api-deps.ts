import type { RuntimePorts } from '../runtime-ports';
import type { ExecutionCommands } from '../services/execution-commands';
import type { FlowService } from '../services/flow-service';

/**
 * What route modules get. Each module is `(deps: ApiDeps) => Route[]` and is
 * listed once in routes/index.ts.
 */
export interface ApiDeps {
  readonly ports: RuntimePorts;
  readonly flows: FlowService;
  readonly executions: ExecutionCommands;
  /** Public base URL of the server, for the `url` of created executions (e.g. http://localhost:8080). */
  readonly baseUrl: string;
  /** Resolves when the server is ready to serve (health readiness). */
  readonly isReady?: () => boolean;
  /** Trigger settings (webhook body limit and wait timeout, holidays, ...). */
  readonly triggerOptions?: import('../triggers/trigger-deps').TriggerOptions;
}

export type RouteModule = (deps: ApiDeps) => readonly import('./http-types').Route[];
