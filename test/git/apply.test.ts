import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@windhover/cli';
import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, USER, client, startE2eServer } from '../e2e/local-client';

let server: LocalServer;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  server = await startE2eServer();
  api = client(server.url);
});
afterAll(async () => {
  await server?.close();
});

const FLOW = `apiVersion: model.kestra.io/v1alpha1
kind: KestraFlow
metadata:
  name: hello-world
spec:
  id: hello-world
  namespace: company.team
  source: |
    id: hello-world
    namespace: company.team
    labels:
      system.readOnly: "true"
    tasks:
      - id: hello
        type: io.kestra.plugin.core.log.Log
        message: MSG
`;
const KV = `apiVersion: model.kestra.io/v1alpha1
kind: KestraKeyValue
metadata:
  name: kv-threshold
spec:
  namespace: company.team
  key: threshold
  value: "42"
  type: NUMBER
---
apiVersion: model.kestra.io/v1alpha1
kind: KestraKeyValue
metadata:
  name: kv-greeting
spec:
  namespace: company.team
  key: greeting
  value: hello
`;
const NSFILE = `apiVersion: model.kestra.io/v1alpha1
kind: KestraNamespaceFile
metadata:
  name: etl-script
spec:
  namespace: company.team
  filename: scripts/etl.py
  content: |
    print("etl")
`;

function manifests(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'wh-apply-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

async function apply(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['apply', ...args, '--server', server.url, '--user', `${USER}:${PASSWORD}`], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out, err };
}

describe('windhover apply -f (Kestra operator manifests)', () => {
  it('creates flows, KV entries and namespace files, then reports unchanged and configured like kubectl', async () => {
    const dir = manifests({ 'flow.yaml': FLOW.replace('MSG', 'v1'), 'kv.yaml': KV, 'files/nsfile.yml': NSFILE });
    const first = await apply(['-f', dir]);
    expect(first.err).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.out).toEqual(['kestranamespacefile/etl-script created', 'kestrakeyvalue/kv-threshold created', 'kestrakeyvalue/kv-greeting created', 'kestraflow/hello-world created']);
    expect((await api.call('GET', '/api/v1/main/namespaces/company.team/kv/threshold')).json).toEqual({ type: 'NUMBER', value: 42 });
    expect((await api.call('GET', '/api/v1/main/namespaces/company.team/kv/greeting')).json).toEqual({ type: 'STRING', value: 'hello' });
    expect((await api.call('GET', '/api/v1/main/namespaces/company.team/files?path=/scripts/etl.py')).text).toBe('print("etl")\n');

    expect((await apply(['-f', dir])).out).toEqual([
      'kestranamespacefile/etl-script unchanged',
      'kestrakeyvalue/kv-threshold unchanged',
      'kestrakeyvalue/kv-greeting unchanged',
      'kestraflow/hello-world unchanged',
    ]);

    // The flow is read-only for hand edits, but apply manages it.
    writeFileSync(join(dir, 'flow.yaml'), FLOW.replace('MSG', 'v2'));
    const second = await apply(['-f', join(dir, 'flow.yaml')]);
    expect(second.out).toEqual(['kestraflow/hello-world configured']);
    expect((await api.call('GET', '/api/v1/main/flows/company.team/hello-world?source=true')).json['source']).toContain('message: v2');
  });

  it('applies nothing when one manifest is invalid and lists every problem', async () => {
    const dir = manifests({
      'a.yaml': FLOW.replace('MSG', 'x').replace('id: hello-world\n  namespace', 'id: other\n  namespace'),
      'b.yaml': NSFILE.replace('kind: KestraNamespaceFile', 'kind: KestraSomething'),
      'c.yaml': KV.replace('company.team', 'fresh.ns'),
    });
    const r = await apply(['-f', dir]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/Nothing was applied[\s\S]*a\.yaml#1: spec\.id 'other' differs[\s\S]*b\.yaml#1: unknown kind 'KestraSomething'/);
    expect((await api.call('GET', '/api/v1/main/namespaces/fresh.ns/kv/threshold')).status).toBe(404);
  });

  it('dry run reports and writes nothing', async () => {
    const dir = manifests({ 'kv.yaml': KV.replace(/company\.team/g, 'dry.ns') });
    const r = await apply(['-f', dir, '--dry-run']);
    expect(r.out).toEqual(['kestrakeyvalue/kv-threshold created (dry run)', 'kestrakeyvalue/kv-greeting created (dry run)']);
    expect((await api.call('GET', '/api/v1/main/namespaces/dry.ns/kv/threshold')).status).toBe(404);
  });
});
