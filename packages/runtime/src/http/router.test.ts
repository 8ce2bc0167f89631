import { describe, expect, it } from 'vitest';
import type { Route } from './http-types';
import { Router } from './router';

const route = (method: Route['method'], path: string): Route => ({ method, path, handle: async () => ({ status: 200, body: path }) });

describe('Router', () => {
  const router = new Router([
    route('GET', '/api/v1/:tenant/flows/:namespace'),
    route('GET', '/api/v1/:tenant/flows/search'),
    route('GET', '/api/v1/:tenant/flows/:namespace/:id'),
    route('PUT', '/api/v1/:tenant/flows/:namespace/:id'),
    route('GET', '/api/v1/:tenant/namespaces/:namespace/files/*path'),
    route('GET', '/health'),
  ]);

  it('prefers a static segment over a parameter at the same position', () => {
    const m = router.match('GET', '/api/v1/main/flows/search');
    expect(m.kind === 'match' && m.route.path).toBe('/api/v1/:tenant/flows/search');
    const p = router.match('GET', '/api/v1/main/flows/company.team');
    expect(p.kind === 'match' && p.params).toEqual({ tenant: 'main', namespace: 'company.team' });
  });

  it('decodes each segment after splitting, so an encoded slash stays inside its parameter', () => {
    const m = router.match('GET', '/api/v1/main/flows/a%2Fb/hello%20world');
    expect(m.kind === 'match' && m.params).toEqual({ tenant: 'main', namespace: 'a/b', id: 'hello world' });
  });

  it('captures the rest of the path in a trailing wildcard', () => {
    const m = router.match('GET', '/api/v1/main/namespaces/ns/files/a/b/c.txt');
    expect(m.kind === 'match' && m.params['path']).toBe('a/b/c.txt');
    expect(router.match('GET', '/api/v1/main/namespaces/ns/files').kind).toBe('not-found');
  });

  it('never matches by prefix or suffix', () => {
    expect(router.match('GET', '/x/health').kind).toBe('not-found');
    expect(router.match('GET', '/health/x').kind).toBe('not-found');
    expect(router.match('GET', '/api/v1/main/flows/a/b/c').kind).toBe('not-found');
    expect(router.match('GET', '/api/v1/main/flows//x').kind).toBe('not-found');
  });

  it('reports the allowed methods when only the method differs', () => {
    expect(router.match('DELETE', '/api/v1/main/flows/a/b')).toEqual({ kind: 'method-not-allowed', allowed: expect.arrayContaining(['GET', 'PUT']) });
  });

  it('rejects malformed percent-encoding with BAD_REQUEST', () => {
    expect(() => router.match('GET', '/api/v1/main/flows/%E0%A4%A')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('refuses two routes with the same shape', () => {
    expect(() => new Router([route('GET', '/a/:x'), route('GET', '/a/:y')])).toThrow(/duplicate route/);
  });
});
