import type { ApiDeps } from '../api-deps';
import type { Route } from '../http-types';
import { json } from '../request';

/** Micronaut-style health: `{name, status}`; 503 until the server is ready. Open without credentials. */
export const healthRoutes = (deps: ApiDeps): Route[] => {
  const health = async () => {
    const up = deps.isReady?.() ?? true;
    return json(up ? 200 : 503, { name: 'windhover', status: up ? 'UP' : 'DOWN' });
  };
  return [
    { method: 'GET', path: '/health', auth: 'none', handle: health },
    { method: 'GET', path: '/health/liveness', auth: 'none', handle: async () => json(200, { name: 'windhover', status: 'UP' }) },
    { method: 'GET', path: '/health/readiness', auth: 'none', handle: health },
  ];
};
