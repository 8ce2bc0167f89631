import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, ApiError, readConnectionArgs } from '@windhover/cli';
import { LocalApiTokens, type LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, PASSWORD, USER, startE2eServer } from '../e2e/local-client';
import { cli, folder } from './cicd-support';

let server: LocalServer;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wh-cicd-client-'));
  server = await startE2eServer(dataDir);
});
afterAll(async () => {
  await server?.close();
});

const KV = 'apiVersion: model.kestra.io/v1alpha1\nkind: KestraKeyValue\nmetadata:\n  name: greeting\nspec:\n  namespace: client.ns\n  key: greeting\n  value: hello\n';
const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('connection flags and environment', () => {
  it('reads WINDHOVER_URL, WINDHOVER_TENANT, WINDHOVER_USERNAME and WINDHOVER_PASSWORD, and lets flags win', () => {
    const env = { WINDHOVER_URL: 'https://wh.example', WINDHOVER_TENANT: 'acme', WINDHOVER_USERNAME: 'ci', WINDHOVER_PASSWORD: 'pw' };
    const fromEnv = readConnectionArgs(['-f', 'x'], env, 'tool');
    expect(fromEnv).toEqual({ connection: { url: 'https://wh.example', tenant: 'acme', authorization: basic('ci', 'pw'), managedBy: 'tool' }, rest: ['-f', 'x'] });
    const flags = readConnectionArgs(['--server=http://127.0.0.1:9', '--tenant', 'main', '--user', 'a:b:c'], env);
    expect(flags).toEqual({ connection: { url: 'http://127.0.0.1:9', tenant: 'main', authorization: basic('a', 'b:c') }, rest: [] });
  });

  it('prefers an API token (flag or WINDHOVER_API_TOKEN) over a user', () => {
    expect(readConnectionArgs([], { WINDHOVER_API_TOKEN: 't0k', WINDHOVER_USERNAME: 'u' })).toMatchObject({ connection: { authorization: 'Bearer t0k' } });
    expect(readConnectionArgs(['--username', 'u', '--password', 'p', '--token', 'x'], {})).toMatchObject({ connection: { authorization: 'Bearer x' } });
    expect(readConnectionArgs(['--username', 'u', '--password', 'p'], {})).toMatchObject({ connection: { authorization: basic('u', 'p') } });
  });

  it('rejects a flag without a value and a URL without a scheme', () => {
    expect(readConnectionArgs(['--server'], {})).toBe('--server needs a value');
    expect(readConnectionArgs(['--server', 'localhost:8080'], {})).toBe("the server URL must start with http:// or https:// (got 'localhost:8080')");
  });
});

describe('ApiClient against a real local server', () => {
  it('names the status and the server message when the credentials are wrong', async () => {
    const r = await cli(server.url, ['apply', '-f', folder({ 'kv.yaml': KV })], ['--user', `${USER}:wrong`]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/^apply failed: GET \/api\/v1\/main\/namespaces\/client\.ns\/kv\/greeting failed with HTTP 401: \S/);
  });

  it('says which URL it cannot reach', async () => {
    const r = await cli('http://127.0.0.1:9', ['flow', 'deploy', folder({ 'f.yaml': 'id: f\nnamespace: a.b\ntasks: []\n' })]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toContain('cannot reach the Windhover API at http://127.0.0.1:9');
  });

  it('authenticates with a Bearer API token from --api-token or WINDHOVER_API_TOKEN', async () => {
    const { token } = new LocalApiTokens(dataDir).create('ci');
    const withFlag = await cli(server.url, ['apply', '-f', folder({ 'kv.yaml': KV })], ['--api-token', token]);
    expect(withFlag.err).toEqual([]);
    expect(withFlag.out).toEqual(['kestrakeyvalue/greeting created']);
    const saved = process.env['WINDHOVER_API_TOKEN'];
    process.env['WINDHOVER_API_TOKEN'] = token;
    try {
      expect((await cli(server.url, ['apply', '-f', folder({ 'kv.yaml': KV })], [])).out).toEqual(['kestrakeyvalue/greeting unchanged']);
    } finally {
      if (saved === undefined) delete process.env['WINDHOVER_API_TOKEN'];
      else process.env['WINDHOVER_API_TOKEN'] = saved;
    }
  });

  it('changes a read-only flow only when it sends the managed-by flag', async () => {
    const src = (m: string) => `id: ro\nnamespace: client.ns\nlabels:\n  system.readOnly: "true"\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: ${m}\n`;
    const plain = new ApiClient({ url: server.url, tenant: 'main', authorization: AUTH });
    const managed = new ApiClient({ url: server.url, tenant: 'main', authorization: basic(USER, PASSWORD), managedBy: 'ci-pipeline' });
    expect((await plain.createFlow(src('v1'))).revision).toBe(1);
    const refused = await plain.updateFlow('client.ns', 'ro', src('v2')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(409);
    expect((refused as ApiError).message).toContain("PUT /api/v1/main/flows/client.ns/ro failed with HTTP 409: Flow 'client.ns.ro' is read-only");
    expect((await plain.getFlow('client.ns', 'ro'))?.source).toContain('message: v1');
    expect((await managed.updateFlow('client.ns', 'ro', src('v2'))).revision).toBe(2);
    await expect(plain.deleteFlow('client.ns', 'ro')).rejects.toMatchObject({ status: 409 });
    await managed.deleteFlow('client.ns', 'ro');
    expect(await plain.getFlow('client.ns', 'ro')).toBeUndefined();
  });
});
