import { BadRequestError, type KvEntry, assertValidNamespace, parseKvRequestBody } from '@windhover/core';
import type { ApiDeps } from '../api-deps';
import type { Route } from '../http-types';
import { bodyJson, bodyText, json, queryFilters, queryInt, queryOne } from '../request';
import { KvService } from '../../services/kv-service';

const NS = '/api/v1/:tenant/namespaces/:namespace/kv';

/** Kestra's KVEntry (list and detail): metadata only, never the value. */
const kvEntryJson = (e: KvEntry) => ({
  namespace: e.namespace,
  key: e.key,
  description: e.description ?? null,
  creationDate: e.creationDate,
  updateDate: e.updateDate,
  expirationDate: e.expirationDate ?? null,
});

function sortEntries(entries: readonly KvEntry[], sort: string | undefined): KvEntry[] {
  const [field, dir] = (sort ?? 'key:asc').split(':');
  const pick = (e: KvEntry): string =>
    field === 'namespace' ? `${e.namespace}\u0000${e.key}` : field === 'updateDate' ? e.updateDate : field === 'creationDate' ? e.creationDate : field === 'expirationDate' ? (e.expirationDate ?? '') : e.key;
  const sorted = [...entries].sort((a, b) => (pick(a) < pick(b) ? -1 : pick(a) > pick(b) ? 1 : 0));
  return dir?.toLowerCase() === 'desc' ? sorted.reverse() : sorted;
}

/**
 * Kestra's KV API: `PUT|GET|DELETE /namespaces/{ns}/kv/{key}` (PUT body is a
 * JSON literal or text/plain, `ttl` header), `/detail`, bulk delete, the
 * deprecated namespace list, `/kv/inheritance` and the tenant-wide `/kv`
 * search with `filters[namespace][EQUALS|PREFIX]` and `q`.
 */
export const kvRoutes = (deps: ApiDeps): Route[] => {
  const kv = new KvService(deps.ports.kv, deps.ports.clock);
  return [
    {
      method: 'PUT',
      path: `${NS}/:key`,
      handle: async ({ request, params }) => {
        const typed = parseKvRequestBody(bodyText(request), request.headers['content-type']);
        const ttl = request.headers['ttl'];
        await kv.put(params['tenant'], params['namespace'], params['key'], typed, ttl ? { ttl } : {});
        return { status: 200 };
      },
    },
    {
      method: 'GET',
      path: `${NS}/:key`,
      handle: async ({ params }) => {
        const e = await kv.get(params['tenant'], params['namespace'], params['key']);
        return json(200, { type: e.type, value: e.value });
      },
    },
    {
      method: 'GET',
      path: `${NS}/:key/detail`,
      handle: async ({ params }) => json(200, kvEntryJson(await kv.get(params['tenant'], params['namespace'], params['key']))),
    },
    {
      method: 'DELETE',
      path: `${NS}/:key`,
      handle: async ({ params }) => json(200, await kv.delete(params['tenant'], params['namespace'], params['key'])),
    },
    {
      method: 'DELETE',
      path: NS,
      handle: async ({ request, params }) => {
        const body = bodyJson(request) as { keys?: unknown };
        if (!Array.isArray(body?.keys) || !body.keys.every((k) => typeof k === 'string')) {
          throw new BadRequestError('expected a body {"keys": ["key", ...]}');
        }
        return json(200, { keys: await kv.deleteMany(params['tenant'], params['namespace'], body.keys as string[]) });
      },
    },
    {
      method: 'GET',
      path: NS,
      handle: async ({ params }) => json(200, (await kv.list(params['tenant'], params['namespace'])).map(kvEntryJson)),
    },
    {
      method: 'GET',
      path: `${NS}/inheritance`,
      handle: async ({ params }) => json(200, (await kv.inherited(params['tenant'], params['namespace'])).map(kvEntryJson)),
    },
    {
      method: 'GET',
      path: '/api/v1/:tenant/kv',
      handle: async ({ request, params }) => {
        let namespace: string | undefined;
        let prefix: string | undefined;
        let q = queryOne(request, 'q');
        for (const f of queryFilters(request)) {
          const v = (f.values[0] ?? '').trim();
          if (f.field === 'NAMESPACE' && f.operation === 'EQUALS') namespace = assertValidNamespace(v);
          else if (f.field === 'NAMESPACE' && (f.operation === 'PREFIX' || f.operation === 'STARTS_WITH')) prefix = v;
          else if (f.field === 'QUERY') q = v;
          else throw new BadRequestError(`unsupported KV filter '${f.field}' ${f.operation}`);
        }
        let entries = await kv.list(params['tenant'], namespace);
        if (prefix) entries = entries.filter((e) => e.namespace === prefix || e.namespace?.startsWith(`${prefix}.`));
        if (q) entries = entries.filter((e) => e.key.toLowerCase().includes(q.toLowerCase()));
        const page = queryInt(request, 'page', { min: 1 }) ?? 1;
        const size = queryInt(request, 'size', { min: 1, max: 10_000 }) ?? 10;
        const sorted = sortEntries(entries, queryOne(request, 'sort'));
        return json(200, { results: sorted.slice((page - 1) * size, page * size).map(kvEntryJson), total: sorted.length });
      },
    },
  ];
};
