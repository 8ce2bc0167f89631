import type { TriggerKey } from '@windhover/core';
import { BadRequestError } from '@windhover/core';
import { TriggerService } from '../../triggers/trigger-service';
import type { BackfillRequest, TriggerSearch } from '../../triggers/trigger-service';
import type { TriggerDeps } from '../../triggers/trigger-deps';
import type { ApiDeps } from '../api-deps';
import type { ApiRequest, Route } from '../http-types';
import { bodyJson, json, noContent, queryFilters, queryInt, queryOne } from '../request';

const BASE = '/api/v1/:tenant/triggers';

/** The trigger side's view of the API dependencies. */
export function triggerDeps(deps: ApiDeps): TriggerDeps {
  const { executions } = deps;
  const waitForTerminal = executions.waitForTerminal?.bind(executions);
  return {
    ports: deps.ports,
    executions: { create: (request) => executions.create(request), ...(waitForTerminal ? { waitForTerminal } : {}) },
  };
}

function object(v: unknown, what: string): Readonly<Record<string, unknown>> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new BadRequestError(`${what} must be a JSON object`);
  return v as Readonly<Record<string, unknown>>;
}

function keyOf(tenantId: string, v: unknown): TriggerKey {
  const o = object(v, 'trigger');
  for (const f of ['namespace', 'flowId', 'triggerId']) {
    if (typeof o[f] !== 'string' || o[f] === '') throw new BadRequestError(`trigger.${f} is required`);
  }
  return { tenantId, namespace: String(o.namespace), flowId: String(o.flowId), triggerId: String(o.triggerId) };
}

function keyList(tenantId: string, v: unknown): TriggerKey[] {
  if (!Array.isArray(v)) throw new BadRequestError('body must be a JSON array of triggers');
  return v.map((t) => keyOf(tenantId, t));
}

function search(req: ApiRequest): TriggerSearch {
  let namespace: string | undefined;
  let namespacePrefix = queryOne(req, 'namespace');
  let flowId = queryOne(req, 'flowId');
  let query = queryOne(req, 'q');
  for (const f of queryFilters(req)) {
    const v = f.values[0];
    if (f.field === 'NAMESPACE') {
      if (f.operation === 'EQUALS') namespace = v;
      else namespacePrefix = v;
    } else if (f.field === 'FLOW_ID') flowId = v;
    else if (f.field === 'QUERY' || f.field === 'TRIGGER_ID') query = v;
    else if (f.field !== 'SCOPE') throw new BadRequestError(`unsupported trigger filter '${f.field}'`);
  }
  return {
    ...(namespace ? { namespace } : {}),
    ...(namespacePrefix && !namespace ? { namespacePrefix } : {}),
    ...(flowId ? { flowId } : {}),
    ...(query ? { query } : {}),
  };
}

function page<T>(req: ApiRequest, all: readonly T[]) {
  const p = queryInt(req, 'page', { min: 1 }) ?? 1;
  const size = queryInt(req, 'size', { min: 1, max: 10_000 }) ?? 10;
  return { results: all.slice((p - 1) * size, p * size), total: all.length };
}

/** Kestra's triggers API (platform-spec §2.5): search, toggle, unlock, reset, restart, backfills. */
export function triggerRoutes(deps: ApiDeps): Route[] {
  const service = new TriggerService(triggerDeps(deps));
  const bulk = async (tenant: string, body: unknown, op: (key: TriggerKey) => Promise<unknown>) => {
    const keys = keyList(tenant, body);
    for (const k of keys) await op(k);
    return json(200, { count: keys.length });
  };
  const byQuery = async (req: ApiRequest, tenant: string, op: (key: TriggerKey) => Promise<unknown>) => {
    const items = await service.search(tenant, search(req));
    for (const i of items) await op({ tenantId: tenant, namespace: i.triggerContext.namespace, flowId: i.triggerContext.flowId, triggerId: i.triggerContext.triggerId });
    return json(200, { count: items.length });
  };
  const pathKey = (p: Readonly<Record<string, string>>): TriggerKey => ({
    tenantId: p.tenant,
    namespace: p.namespace,
    flowId: p.flowId,
    triggerId: p.triggerId,
  });
  return [
    {
      method: 'GET',
      path: `${BASE}/search`,
      handle: async ({ request, params }) => json(200, page(request, await service.search(params.tenant, search(request)))),
    },
    {
      method: 'GET',
      path: `${BASE}/:namespace/:flowId`,
      handle: async ({ request, params }) => {
        const items = await service.search(params.tenant, { namespace: params.namespace, flowId: params.flowId, query: queryOne(request, 'q') });
        return json(200, page(request, items.map((i) => i.triggerContext)));
      },
    },
    {
      method: 'GET',
      path: `${BASE}/:namespace/:flowId/:triggerId`,
      handle: async ({ params }) => json(200, (await service.get(pathKey(params))).triggerContext),
    },
    {
      method: 'PUT',
      path: BASE,
      handle: async ({ request, params }) => {
        const body = object(bodyJson(request), 'body');
        const key = keyOf(params.tenant, body);
        if (body.backfill) return json(200, await service.backfill(key, object(body.backfill, 'backfill') as unknown as BackfillRequest));
        if (typeof body.disabled === 'boolean') return json(200, await service.setDisabled(key, body.disabled));
        return json(200, (await service.get(key)).triggerContext);
      },
    },
    {
      method: 'PUT',
      path: `${BASE}/backfill/pause`,
      handle: async ({ request, params }) => json(200, await service.setBackfillPaused(keyOf(params.tenant, bodyJson(request)), true)),
    },
    {
      method: 'PUT',
      path: `${BASE}/backfill/unpause`,
      handle: async ({ request, params }) => json(200, await service.setBackfillPaused(keyOf(params.tenant, bodyJson(request)), false)),
    },
    {
      method: 'POST',
      path: `${BASE}/backfill/delete`,
      handle: async ({ request, params }) => json(200, await service.deleteBackfill(keyOf(params.tenant, bodyJson(request)))),
    },
    {
      method: 'POST',
      path: `${BASE}/backfill/pause/by-triggers`,
      handle: ({ request, params }) => bulk(params.tenant, bodyJson(request), (k) => service.setBackfillPaused(k, true)),
    },
    {
      method: 'POST',
      path: `${BASE}/backfill/unpause/by-triggers`,
      handle: ({ request, params }) => bulk(params.tenant, bodyJson(request), (k) => service.setBackfillPaused(k, false)),
    },
    {
      method: 'POST',
      path: `${BASE}/backfill/delete/by-triggers`,
      handle: ({ request, params }) => bulk(params.tenant, bodyJson(request), (k) => service.deleteBackfill(k)),
    },
    {
      method: 'POST',
      path: `${BASE}/:namespace/:flowId/:triggerId/unlock`,
      handle: async ({ params }) => json(200, await service.unlock(pathKey(params))),
    },
    {
      method: 'POST',
      path: `${BASE}/unlock/by-triggers`,
      handle: ({ request, params }) => bulk(params.tenant, bodyJson(request), (k) => service.unlock(k)),
    },
    {
      method: 'POST',
      path: `${BASE}/unlock/by-query`,
      handle: ({ request, params }) => byQuery(request, params.tenant, (k) => service.unlock(k)),
    },
    {
      method: 'POST',
      path: `${BASE}/:namespace/:flowId/:triggerId/restart`,
      handle: async ({ params }) => json(200, await service.restart(pathKey(params))),
    },
    {
      method: 'POST',
      path: `${BASE}/set-disabled/by-triggers`,
      handle: async ({ request, params }) => {
        const body = object(bodyJson(request), 'body');
        if (typeof body.disabled !== 'boolean') throw new BadRequestError('disabled must be true or false');
        const disabled = body.disabled;
        return bulk(params.tenant, body.triggers, (k) => service.setDisabled(k, disabled));
      },
    },
    {
      method: 'POST',
      path: `${BASE}/set-disabled/by-query`,
      handle: async ({ request, params }) => {
        const v = queryOne(request, 'disabled');
        if (v !== 'true' && v !== 'false') throw new BadRequestError('query parameter disabled must be true or false');
        return byQuery(request, params.tenant, (k) => service.setDisabled(k, v === 'true'));
      },
    },
    {
      method: 'DELETE',
      path: `${BASE}/:namespace/:flowId/:triggerId`,
      handle: async ({ params }) => {
        await service.reset(pathKey(params));
        return noContent();
      },
    },
    {
      method: 'POST',
      path: `${BASE}/delete/by-triggers`,
      handle: ({ request, params }) => bulk(params.tenant, bodyJson(request), (k) => service.reset(k)),
    },
  ];
}
