import { NotFoundError, assertValidNamespace } from '@windhover/core';
import { GitOpsService } from '../../gitops/gitops-service';
import type { ApiDeps } from '../api-deps';
import type { Route } from '../http-types';
import { json, queryOne } from '../request';

/**
 * GitOps status (a Windhover addition, documented in docs/gitops.md):
 * - `GET /api/v1/{tenant}/git/status[?namespace=ns]`: every namespace fed by a Git sync task,
 *   with its last synced commit, time and result and each flow/file Synced or OutOfSync;
 * - `GET /api/v1/{tenant}/git/status/{namespace}`: one namespace (404 when no Git source);
 * - `GET /api/v1/{tenant}/git/status/{namespace}/flows/{id}/diff`: drift of one flow as a unified diff.
 */
export const gitopsRoutes = (deps: ApiDeps): Route[] => {
  const gitops = new GitOpsService(deps.ports);
  return [
    {
      method: 'GET',
      path: '/api/v1/:tenant/git/status',
      handle: async ({ request, params }) => {
        const namespace = queryOne(request, 'namespace');
        if (namespace) assertValidNamespace(namespace);
        return json(200, await gitops.status(params['tenant'], namespace));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/:tenant/git/status/:namespace',
      handle: async ({ params }) => {
        assertValidNamespace(params['namespace']);
        const s = await gitops.status(params['tenant'], params['namespace']);
        const ns = s.namespaces.find((n) => n.namespace === params['namespace']);
        if (!ns) throw new NotFoundError('Git source of namespace', params['namespace']);
        return json(200, ns);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/:tenant/git/status/:namespace/flows/:id/diff',
      handle: async ({ params }) => {
        assertValidNamespace(params['namespace']);
        const drift = await gitops.flowDrift(params['tenant'], params['namespace'], params['id']);
        if (!drift) throw new NotFoundError('Git-managed flow', `${params['namespace']}.${params['id']}`);
        return json(200, drift);
      },
    },
  ];
};
