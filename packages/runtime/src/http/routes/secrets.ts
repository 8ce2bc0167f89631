import { assertValidNamespace, namespaceLineage } from '@windhover/core';
import type { ApiDeps } from '../api-deps';
import type { Route } from '../http-types';
import { json, queryInt, queryOne } from '../request';

const page = <T>(items: readonly T[], p: number, size: number) => items.slice((p - 1) * size, p * size);

/**
 * Secret keys, never values (Kestra EE's listing shapes; the local and AWS
 * stores are read-only, so there is no create/update here). `readOnly: true`
 * tells the UI not to offer editing.
 */
export const secretRoutes = (deps: ApiDeps): Route[] => {
  const secrets = deps.ports.secrets;
  const keysOf = async (tenantId: string, namespace: string | undefined, q: string | undefined) =>
    (await secrets.list(tenantId, namespace))
      .filter((k) => !q || k.toLowerCase().includes(q.toLowerCase()))
      .map((key) => ({ key, namespace: namespace ?? null, description: null, tags: [] }));
  return [
    {
      method: 'GET',
      path: '/api/v1/:tenant/secrets',
      handle: async ({ request, params }) => {
        const all = await keysOf(params['tenant'], undefined, queryOne(request, 'q'));
        const p = queryInt(request, 'page', { min: 1 }) ?? 1;
        const size = queryInt(request, 'size', { min: 1, max: 10_000 }) ?? 10;
        return json(200, { results: page(all, p, size), total: all.length, readOnly: true });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/:tenant/namespaces/:namespace/secrets',
      handle: async ({ request, params }) => {
        const all = await keysOf(params['tenant'], assertValidNamespace(params['namespace']), queryOne(request, 'q'));
        const p = queryInt(request, 'page', { min: 1 }) ?? 1;
        const size = queryInt(request, 'size', { min: 1, max: 10_000 }) ?? 10;
        return json(200, { results: page(all, p, size), total: all.length, readOnly: true });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/:tenant/namespaces/:namespace/inherited-secrets',
      handle: async ({ params }) => {
        // Parent namespaces, nearest first, then the tenant level under the empty name: { namespace: [keys] }.
        const [, ...parents] = namespaceLineage(assertValidNamespace(params['namespace']));
        const out: Record<string, readonly string[]> = {};
        for (const ns of parents) {
          const keys = await secrets.list(params['tenant'], ns);
          if (keys.length > 0) out[ns] = keys;
        }
        const tenantKeys = await secrets.list(params['tenant'], undefined);
        if (tenantKeys.length > 0) out[''] = tenantKeys;
        return json(200, out);
      },
    },
  ];
};
