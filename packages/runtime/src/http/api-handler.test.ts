import { BadRequestError, ExecutionNotFoundError, IllegalStateError, ValidationError, VersionConflictError } from '@windhover/core';
import type { Logger } from '@windhover/core';
import { describe, expect, it } from 'vitest';
import { createApiHandler } from './api-handler';
import { hashApiToken } from './authentication';
import type { ApiRequest, Route } from './http-types';

const logged: { message: string; attributes?: Readonly<Record<string, unknown>> }[] = [];
const logger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (message, attributes) => void logged.push({ message, ...(attributes ? { attributes } : {}) }),
};

let calls = 0;
const routes: Route[] = [
  { method: 'GET', path: '/health', auth: 'none', handle: async () => ({ status: 200, body: { status: 'UP' } }) },
  {
    method: 'GET',
    path: '/api/v1/:tenant/things/:id',
    handle: async ({ params, principal }) => {
      calls++;
      return { status: 200, body: { id: params['id'], tenant: params['tenant'], by: principal?.id } };
    },
  },
  {
    method: 'POST',
    path: '/api/v1/:tenant/fail/:kind',
    handle: async ({ params }) => {
      calls++;
      switch (params['kind']) {
        case 'invalid':
          throw new ValidationError('Invalid flow', [{ message: 'must not be empty', path: 'tasks' }]);
        case 'conflict':
          throw new VersionConflictError('Execution', 'e1', 3);
        case 'illegal':
          throw new IllegalStateError('execution is not paused');
        case 'missing':
          throw new ExecutionNotFoundError('e1');
        case 'bad':
          throw new BadRequestError('bad query');
        default:
          throw new Error('database password is hunter2');
      }
    },
  },
];

const token = 'wh_test_token_123';
const handler = createApiHandler({
  routes,
  logger,
  auth: { basic: { username: 'admin@kestra.io', password: 's3cret' }, apiTokenHashes: [hashApiToken(token)] },
});

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const req = (method: string, path: string, headers: Record<string, string> = {}): ApiRequest => ({
  method,
  path,
  query: {},
  headers,
  body: new Uint8Array(),
});
const ok = { authorization: basic('admin@kestra.io', 's3cret') };

describe('createApiHandler', () => {
  it('answers open routes without credentials', async () => {
    expect((await handler(req('GET', '/health'))).status).toBe(200);
  });

  it('refuses a request without or with wrong credentials, before running the route', async () => {
    const before = calls;
    for (const headers of <Record<string, string>[]>[{}, { authorization: basic('admin@kestra.io', 'wrong') }, { authorization: basic('other', 's3cret') }, { authorization: 'Bearer nope' }, { authorization: 'Basic !!!' }]) {
      const r = await handler(req('GET', '/api/v1/main/things/1', headers));
      expect(r.status).toBe(401);
      expect(r.headers?.['www-authenticate']).toMatch(/^Basic/);
    }
    expect(calls).toBe(before);
  });

  it('does not reveal whether a path exists to an unauthenticated caller', async () => {
    expect((await handler(req('GET', '/api/v1/main/unknown'))).status).toBe(401);
    expect((await handler(req('GET', '/api/v1/main/unknown', ok))).status).toBe(404);
  });

  it('does not open a protected route whose path ends like an open one', async () => {
    expect((await handler(req('GET', '/api/v1/main/things/health'))).status).toBe(401);
    expect((await handler(req('GET', '/x/health'))).status).toBe(401);
  });

  it('accepts Basic credentials, the BASIC_AUTH cookie and a Bearer API token', async () => {
    const r = await handler(req('GET', '/api/v1/main/things/7', ok));
    expect(r).toMatchObject({ status: 200, body: { id: '7', tenant: 'main', by: 'admin@kestra.io' } });
    const cookie = `BASIC_AUTH=${encodeURIComponent(Buffer.from('admin@kestra.io:s3cret').toString('base64'))}`;
    expect((await handler(req('GET', '/api/v1/main/things/7', { cookie }))).status).toBe(200);
    expect((await handler(req('GET', '/api/v1/main/things/7', { authorization: `Bearer ${token}` }))).status).toBe(200);
  });

  it('maps the path without tenant to the main tenant, and rejects unknown tenants', async () => {
    expect((await handler(req('GET', '/api/v1/things/7', ok))).body).toMatchObject({ tenant: 'main' });
    expect((await handler(req('GET', '/api/v1/other/things/7', ok))).status).toBe(404);
  });

  it('answers 405 with the allowed methods', async () => {
    const r = await handler(req('DELETE', '/api/v1/main/things/7', ok));
    expect(r.status).toBe(405);
    expect(r.headers?.['allow']).toBe('GET');
  });

  it('maps error codes to Kestra status codes and bodies', async () => {
    const status = async (kind: string) => handler(req('POST', `/api/v1/main/fail/${kind}`, ok));
    const invalid = await status('invalid');
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ message: 'Invalid entity: tasks: must not be empty', _embedded: { errors: [{ message: 'tasks: must not be empty', path: 'tasks' }] } });
    expect((await status('conflict')).status).toBe(409);
    expect((await status('illegal')).status).toBe(409);
    expect((await status('missing')).status).toBe(404);
    expect((await status('bad')).status).toBe(400);
  });

  it('rejects an unauthenticated request from its headers alone, and lets open and authenticated ones through', () => {
    const head = (path: string, headers: Record<string, string> = {}) => ({ method: 'POST', path, query: {}, headers });
    expect(handler.rejectEarly?.(head('/api/v1/main/fail/x'))?.status).toBe(401);
    expect(handler.rejectEarly?.(head('/api/v1/main/fail/x', ok))).toBeUndefined();
    expect(handler.rejectEarly?.({ ...head('/health/'), method: 'GET' })).toBeUndefined();
  });

  it('hides the cause of an unexpected error from the client and logs it', async () => {
    logged.length = 0;
    const r = await handler(req('POST', '/api/v1/main/fail/boom', ok));
    expect(r.status).toBe(500);
    expect(JSON.stringify(r.body)).not.toContain('hunter2');
    expect(logged[0]?.message).toBe('request failed');
    expect(String((logged[0]?.attributes?.['error'] as Error | undefined)?.message)).toContain('hunter2');
  });
});
