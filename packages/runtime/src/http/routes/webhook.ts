import { handleWebhook } from '../../triggers/webhook-handler';
import type { TriggerOptions } from '../../triggers/trigger-deps';
import type { ApiDeps } from '../api-deps';
import type { Route } from '../http-types';
import { triggerDeps } from './triggers';

const PATH = '/api/v1/:tenant/executions/webhook/:namespace/:flowId/:key';

/** Webhook routes with explicit options (body limit, wait timeout). */
export function webhookRoutesWith(options: TriggerOptions): (deps: ApiDeps) => Route[] {
  return (deps) => {
    const tdeps = { ...triggerDeps(deps), options };
    return (['GET', 'POST', 'PUT'] as const).map(
      (method): Route => ({
        method,
        path: PATH,
        // Key-authenticated (and optionally signature-checked): no login, as in Kestra.
        auth: 'none',
        handle: ({ request, params }) =>
          handleWebhook(
            tdeps,
            {
              tenantId: params.tenant,
              namespace: params.namespace,
              flowId: params.flowId,
              key: params.key,
              method,
              headers: request.headers,
              query: request.query,
              body: request.body,
              path: request.path,
            },
            deps.baseUrl,
          ),
      }),
    );
  };
}

/** `/api/v1/{tenant}/executions/webhook/{namespace}/{flowId}/{key}` for GET, POST and PUT, with the runtime's trigger options. */
export const webhookRoutes = (deps: ApiDeps): Route[] => webhookRoutesWith(deps.triggerOptions ?? {})(deps);
