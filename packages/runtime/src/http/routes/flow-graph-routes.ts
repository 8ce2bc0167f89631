import type { Execution, Flow, FlowGraph } from '@windhover/core';
import { FlowNotFoundError, flowGraph } from '@windhover/core';
import type { ApiDeps } from '../api-deps';
import type { ApiRequest, Route } from '../http-types';
import { bodyYaml, json, queryAll, queryInt } from '../request';

const BASE = '/api/v1/:tenant/flows';
/** Subflows inside subflows are loaded level by level; this bounds the levels. */
const MAX_SUBFLOW_LEVELS = 10;

/** Kestra's `subflows` parameter (repeated, or comma-separated). */
export const subflowsParam = (req: ApiRequest): string[] =>
  queryAll(req, 'subflows')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');

/**
 * The FlowGraph of a flow with the subflows in `expand` drawn inside it.
 * The graph is a pure function of preloaded flows: it is built again once
 * the subflows it asked for are loaded, level by level. A subflow to
 * expand that does not exist answers 404, as in Kestra.
 */
export async function resolvedFlowGraph(deps: ApiDeps, tenantId: string, flow: Flow, options: { expand?: readonly string[]; execution?: Execution } = {}): Promise<FlowGraph> {
  const expand = options.expand ?? [];
  const loaded = new Map<string, Flow | null>();
  const key = (namespace: string, flowId: string, revision: number | undefined) => `${namespace}\u0000${flowId}\u0000${revision ?? ''}`;
  for (let level = 0; ; level++) {
    const missing = new Map<string, { namespace: string; flowId: string; revision: number | undefined }>();
    const graph = flowGraph(flow, {
      ...(options.execution ? { execution: options.execution } : {}),
      expandSubflows: expand,
      subflow: (namespace, flowId, revision) => {
        const k = key(namespace, flowId, revision);
        const found = loaded.get(k);
        if (found === undefined) missing.set(k, { namespace, flowId, revision });
        return found ?? undefined;
      },
    });
    if (missing.size === 0 || level >= MAX_SUBFLOW_LEVELS) {
      const absent = [...loaded.entries()].find(([, f]) => f === null);
      if (absent) {
        const [namespace, flowId, revision] = absent[0].split('\u0000');
        throw new FlowNotFoundError(namespace, flowId, revision ? Number(revision) : undefined);
      }
      return graph;
    }
    for (const [k, m] of missing) {
      const f = await deps.ports.flows.get(tenantId, m.namespace, m.flowId, m.revision);
      loaded.set(k, f && (!f.deleted || m.revision !== undefined) ? f.flow : null);
    }
  }
}

/**
 * Kestra's topology endpoints: the FlowGraph of a stored flow (any revision)
 * and of a YAML source that is not saved (the editor's live topology), with
 * the subflows named in `subflows` expanded.
 */
export function flowGraphRoutes(deps: ApiDeps): Route[] {
  return [
    {
      method: 'GET',
      path: `${BASE}/:namespace/:id/graph`,
      handle: async ({ request, params }) => {
        const revision = queryInt(request, 'revision', { min: 1 });
        const f = await deps.flows.get(params['tenant'], params['namespace'], params['id'], revision !== undefined ? { revision } : {});
        return json(200, await resolvedFlowGraph(deps, params['tenant'], f.flow, { expand: subflowsParam(request) }));
      },
    },
    {
      // An invalid source answers 422 with every violation, like POST /flows.
      method: 'POST',
      path: `${BASE}/graph`,
      handle: async ({ request, params }) => json(200, await resolvedFlowGraph(deps, params['tenant'], deps.flows.parse(bodyYaml(request)), { expand: subflowsParam(request) })),
    },
  ];
}
