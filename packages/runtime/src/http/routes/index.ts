import type { ApiDeps, RouteModule } from '../api-deps';
import type { Route } from '../http-types';
import { executionBulkRoutes } from './execution-bulk-routes';
import { executionEvalRoutes } from './execution-eval-routes';
import { executionLookupRoutes } from './execution-lookup-routes';
import { executionRoutes } from './execution-routes';
import { flowGraphRoutes } from './flow-graph-routes';
import { flowRoutes } from './flow-routes';
import { gitopsRoutes } from './gitops';
import { healthRoutes } from './health-routes';
import { kvRoutes } from './kv';
import { logFollowRoutes } from './log-follow-routes';
import { logRoutes } from './log-routes';
import { metricsRoutes } from './metrics-routes';
import { namespaceFileRoutes } from './namespace-files';
import { secretRoutes } from './secrets';
import { triggerRoutes } from './triggers';
import { webhookRoutes } from './webhook';

/**
 * Every route module of the API, in one list: add a module by adding it
 * here (one import, one entry). The handler builds one route table from it.
 */
export const ROUTE_MODULES: readonly RouteModule[] = [
  healthRoutes,
  flowRoutes,
  flowGraphRoutes,
  executionRoutes,
  executionBulkRoutes,
  executionLookupRoutes,
  executionEvalRoutes,
  logRoutes,
  logFollowRoutes,
  metricsRoutes,
  triggerRoutes,
  webhookRoutes,
  namespaceFileRoutes,
  kvRoutes,
  secretRoutes,
  gitopsRoutes,
];

export const createRoutes = (deps: ApiDeps): Route[] => ROUTE_MODULES.flatMap((m) => m(deps));
