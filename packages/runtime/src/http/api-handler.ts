import type { Logger } from '@windhover/core';
import { type AuthConfig, authenticate } from './authentication';
import { errorBody, toErrorResponse } from './error-response';
import type { ApiRequest, ApiResponse, Route } from './http-types';
import { Router } from './router';

export interface ApiHandlerOptions {
  readonly routes: readonly Route[];
  readonly auth: AuthConfig;
  readonly logger: Logger;
  /** Tenants served under `/api/v1/{tenant}`; Kestra OSS has one, `main`. */
  readonly tenants?: readonly string[];
}

export type ApiHandler = ((request: ApiRequest) => Promise<ApiResponse>) & {
  /**
   * The 401 answer for a request whose headers already show it cannot pass
   * authentication, or undefined. Adapters call it before reading the body,
   * so an anonymous client cannot make the server buffer a large upload.
   */
  readonly rejectEarly?: (request: Omit<ApiRequest, 'body'>) => ApiResponse | undefined;
};

const API_PREFIX = '/api/v1/';

/**
 * The one HTTP handler of both editions: routing, authentication, tenant
 * check and error mapping. Every route needs credentials unless it says
 * `auth: 'none'` (health, webhooks); an unauthenticated request learns
 * nothing, not even whether the path exists.
 */
export function createApiHandler(options: ApiHandlerOptions): ApiHandler {
  const router = new Router(options.routes);
  const tenants = new Set(options.tenants ?? ['main']);
  const { logger } = options;

  const match = (method: string, path: string) => {
    const found = router.match(method, path);
    if (found.kind !== 'not-found' || !path.startsWith(API_PREFIX)) return found;
    // Kestra's compatibility layer: `/api/v1/flows/...` means `/api/v1/main/flows/...`.
    const withTenant = router.match(method, `${API_PREFIX}main/${path.slice(API_PREFIX.length)}`);
    return withTenant.kind === 'match' && withTenant.params['tenant'] === 'main' ? withTenant : found;
  };

  const unauthorized = (path: string): ApiResponse => ({
    status: 401,
    headers: { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="Windhover", charset="UTF-8"' },
    body: errorBody('Unauthorized', path),
  });

  const handle = async (request: ApiRequest): Promise<ApiResponse> => {
    const path = request.path.length > 1 && request.path.endsWith('/') ? request.path.slice(0, -1) : request.path;
    try {
      const found = match(request.method.toUpperCase(), path);
      const open = found.kind === 'match' && found.route.auth === 'none';
      const principal = open ? undefined : authenticate(request, options.auth);
      if (!open && !principal) return unauthorized(path);
      if (found.kind === 'not-found') return { status: 404, headers: { 'content-type': 'application/json' }, body: errorBody(`Page Not Found: ${path}`, path) };
      if (found.kind === 'method-not-allowed') {
        return {
          status: 405,
          headers: { 'content-type': 'application/json', allow: found.allowed.join(', ') },
          body: errorBody(`Method Not Allowed: ${request.method}`, path),
        };
      }
      const tenant = found.params['tenant'];
      if (tenant !== undefined && !tenants.has(tenant)) {
        return { status: 404, headers: { 'content-type': 'application/json' }, body: errorBody(`Tenant '${tenant}' not found`, path) };
      }
      const response = await found.route.handle({ request: { ...request, path }, params: found.params, ...(principal ? { principal } : {}) });
      return request.method.toUpperCase() === 'HEAD' ? { status: response.status, ...(response.headers ? { headers: response.headers } : {}) } : response;
    } catch (e) {
      return toErrorResponse(e, path, logger);
    }
  };

  const rejectEarly = (head: Omit<ApiRequest, 'body'>): ApiResponse | undefined => {
    try {
      const path = head.path.length > 1 && head.path.endsWith('/') ? head.path.slice(0, -1) : head.path;
      const found = match(head.method.toUpperCase(), path);
      if (found.kind === 'match' && found.route.auth === 'none') return undefined;
      return authenticate({ ...head, body: new Uint8Array() }, options.auth) ? undefined : unauthorized(path);
    } catch {
      // Malformed paths are answered by the full handler.
      return undefined;
    }
  };
  return Object.assign(handle, { rejectEarly });
}
