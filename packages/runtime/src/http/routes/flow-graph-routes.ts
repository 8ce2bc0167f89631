import { flowGraph } from '@windhover/core';
import type { ApiDeps } from '../api-deps';
import type { Route } from '../http-types';
import { bodyYaml, json, queryInt } from '../request';

const BASE = '/api/v1/:tenant/flows';

/**
 * Kestra's topology endpoints: the FlowGraph of a stored flow (any revision)
 * and of a YAML source that is not saved (the editor's live topology). The
 * `subflows` parameter, which inlines subflow graphs, is not supported: a
 * Subflow is drawn as one SubflowGraphTask node.
 */
export function flowGraphRoutes(deps: ApiDeps): Route[] {
  return [
    {
      method: 'GET',
      path: `${BASE}/:namespace/:id/graph`,
      handle: async ({ request, params }) => {
        const revision = queryInt(request, 'revision', { min: 1 });
        const f = await deps.flows.get(params['tenant'], params['namespace'], params['id'], revision !== undefined ? { revision } : {});
        return json(200, flowGraph(f.flow));
      },
    },
    {
      // An invalid source answers 422 with every violation, like POST /flows.
      method: 'POST',
      path: `${BASE}/graph`,
      handle: async ({ request }) => json(200, flowGraph(deps.flows.parse(bodyYaml(request)))),
    },
  ];
}
