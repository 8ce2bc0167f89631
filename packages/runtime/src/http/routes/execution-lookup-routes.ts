import type { FlowWithSource } from '@windhover/core';
import { BadRequestError } from '@windhover/core';
import type { ApiDeps } from '../api-deps';
import type { Route } from '../http-types';
import { bodyJson, json, queryInt } from '../request';
import { flowJson } from './flow-json';

const BASE = '/api/v1/:tenant/executions';
const MAX_LATEST = 1000;

/**
 * Kestra's execution-side lookups, for users allowed to run flows without
 * reading them: the last execution of given flows (POST /executions/latest),
 * the namespaces with flows, the flows of a namespace and one flow as
 * FlowForExecution (here the flow without its source).
 */
export function executionLookupRoutes(deps: ApiDeps): Route[] {
  const live = async (tenantId: string, namespace?: string): Promise<FlowWithSource[]> =>
    (await deps.flows.list(tenantId, namespace ? { namespace } : {})).filter((f) => !f.deleted && (namespace === undefined || f.flow.namespace === namespace));
  return [
    {
      method: 'POST',
      path: `${BASE}/latest`,
      handle: async ({ request, params }) => {
        const body = bodyJson(request);
        if (!Array.isArray(body) || body.some((f) => typeof f?.namespace !== 'string' || typeof f?.id !== 'string')) {
          throw new BadRequestError('expected a JSON array of {namespace, id}');
        }
        if (body.length > MAX_LATEST) throw new BadRequestError(`at most ${MAX_LATEST} flows per request`);
        const latest = [];
        for (const f of body as { namespace: string; id: string }[]) {
          const page = await deps.ports.executions.find(params['tenant'], { namespace: f.namespace, flowId: f.id, size: 5, sort: 'startDate:desc' });
          const e = page.results.find((x) => x.namespace === f.namespace && x.flowId === f.id && !x.deleted);
          if (e) latest.push({ id: e.id, flowId: e.flowId, namespace: e.namespace, startDate: e.state.startDate, status: e.state.current });
        }
        return json(200, latest);
      },
    },
    {
      method: 'GET',
      path: `${BASE}/namespaces`,
      handle: async ({ params }) => json(200, [...new Set((await live(params['tenant'])).map((f) => f.flow.namespace))].sort()),
    },
    {
      method: 'GET',
      path: `${BASE}/namespaces/:namespace/flows`,
      handle: async ({ params }) => json(200, (await live(params['tenant'], params['namespace'])).map((f) => flowJson(f, false))),
    },
    {
      method: 'GET',
      path: `${BASE}/flows/:namespace/:flowId`,
      handle: async ({ request, params }) => {
        const revision = queryInt(request, 'revision', { min: 1 });
        const f = await deps.flows.get(params['tenant'], params['namespace'], params['flowId'], revision !== undefined ? { revision } : {});
        return json(200, flowJson(f, false));
      },
    },
  ];
}
