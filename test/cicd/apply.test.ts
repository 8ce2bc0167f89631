import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startE2eServer } from '../e2e/local-client';
import { cli, faultyProxy, folder } from './cicd-support';

let server: LocalServer;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  server = await startE2eServer(mkdtempSync(join(tmpdir(), 'wh-cicd-apply-')));
  api = client(server.url);
});
afterAll(async () => {
  await server?.close();
});

const flow = (name: string, ns: string, message: string, extra = ''): string => `apiVersion: model.kestra.io/v1alpha1
kind: KestraFlow
metadata:
  name: ${name}
spec:
  id: ${name}
  namespace: ${ns}
  source: |
    id: ${name}
    namespace: ${ns}
${extra}    tasks:
      - id: hello
        type: io.kestra.plugin.core.log.Log
        message: ${message}
`;
const kv = (name: string, ns: string, key: string, value: string, type?: string): string => `apiVersion: model.kestra.io/v1alpha1
kind: KestraKeyValue
metadata:
  name: ${name}
spec:
  namespace: ${ns}
  key: ${key}
  value: ${JSON.stringify(value)}
${type ? `  type: ${type}\n` : ''}`;
const nsfile = (name: string, ns: string, filename: string, content: string): string => `apiVersion: model.kestra.io/v1alpha1
kind: KestraNamespaceFile
metadata:
  name: ${name}
spec:
  namespace: ${ns}
  filename: ${filename}
  content: ${JSON.stringify(content)}
`;
const apply = (args: readonly string[]) => cli(server.url, ['apply', ...args]);
const status = async (path: string): Promise<number> => (await api.call('GET', path)).status;

describe('windhover apply: manifest checks', () => {
  it('reports every manifest shape error with its file and line, and applies nothing', async () => {
    const dir = folder({
      'a.yaml': `${flow('good', 'shape.ns', 'hi')}---\napiVersion: model.kestra.io/v1\nkind: KestraKeyValue\nmetadata:\n  name: k\nspec:\n  namespace: shape.ns\n  value: "1"\n  colour: red\n`,
      'b.yml': 'kind: KestraNamespaceFile\nmetadata: {name: f}\nspec:\n  namespace: shape.ns\n  filename: x.txt\n  content: [1, 2]\n',
    });
    const r = await apply(['-f', dir]);
    expect(r.code).toBe(1);
    const text = r.err.join('\n');
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yml');
    // Document 2 of a.yaml starts on line 16: apiVersion on 16, spec on 20, colour on 23.
    expect(text).toContain(`${a}#2: apiVersion must be model.kestra.io/v1alpha1 (${a}:16)`);
    expect(text).toContain(`${a}#2: spec.key is required (${a}:20)`);
    expect(text).toContain(`${a}#2: spec has an unknown property 'colour' (${a}:23)`);
    expect(text).toContain(`${b}#1: apiVersion is required (${b}:1)`);
    expect(text).toContain(`${b}#1: spec.content must be string (${b}:6)`);
    expect(await status('/api/v1/main/flows/shape.ns/good')).toBe(404);
  });

  it('validates every flow through the API first: one invalid flow means nothing at all is applied, with each problem at its line', async () => {
    const dir = folder({
      '1-files.yaml': nsfile('script', 'plan.ns', 'scripts/run.sh', 'echo hi\n'),
      '2-kv.yaml': kv('limit', 'plan.ns', 'limit', '10', 'NUMBER'),
      '3-ok.yaml': flow('ok-flow', 'plan.ns', 'fine'),
      '4-bad.yaml': flow('bad-flow', 'plan.ns', 'x').replace('io.kestra.plugin.core.log.Log', 'io.kestra.plugin.core.log.Nope'),
      '5-bad.yaml': `${kv('n', 'plan.ns', 'n', 'not-a-number', 'NUMBER')}---\n${flow('empty-flow', 'plan.ns', 'x').replace(/ {4}tasks:\n[\s\S]*$/, '    tasks: []\n')}`,
    });
    const r = await apply(['-f', dir]);
    expect(r.code).toBe(1);
    const text = r.err.join('\n');
    expect(text).toMatch(/^Nothing was applied/);
    // The unknown type is on line 13 of the manifest (line 5 of the flow source).
    expect(text).toContain(`${join(dir, '4-bad.yaml')}#1: invalid flow: tasks[0].type: unknown task type \`io.kestra.plugin.core.log.Nope\` (${join(dir, '4-bad.yaml')}:13)`);
    expect(text).toContain(`${join(dir, '5-bad.yaml')}#1: spec.value: Invalid NUMBER value "not-a-number" (${join(dir, '5-bad.yaml')}:8)`);
    expect(text).toContain(`${join(dir, '5-bad.yaml')}#2: invalid flow: tasks: must not be empty (${join(dir, '5-bad.yaml')}:21)`);
    expect(r.out).toEqual([]);
    expect(await status('/api/v1/main/flows/plan.ns/ok-flow')).toBe(404);
    expect(await status('/api/v1/main/namespaces/plan.ns/kv/limit')).toBe(404);
    expect(await status('/api/v1/main/namespaces/plan.ns/files?path=/scripts/run.sh')).toBe(404);
  });

  it('refuses two manifests for the same resource', async () => {
    const dir = folder({ 'a.yaml': kv('one', 'dup.ns', 'same', 'a'), 'b.yaml': kv('two', 'dup.ns', 'same', 'b') });
    const r = await apply(['-f', dir]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toContain(`KestraKeyValue 'same' of namespace 'dup.ns' is already defined in ${join(dir, 'a.yaml')}#1`);
    expect(await status('/api/v1/main/namespaces/dup.ns/kv/same')).toBe(404);
  });
});

describe('windhover apply: resources', () => {
  it('stores KV values with their types and finds them unchanged on the next apply', async () => {
    const dir = folder({
      'kv.yaml': [
        kv('s', 'kv.ns', 's', '42'),
        kv('n', 'kv.ns', 'n', '3.5', 'NUMBER'),
        kv('b', 'kv.ns', 'b', 'true', 'BOOLEAN'),
        kv('j', 'kv.ns', 'j', '{"b": [1, 2], "a": {"x": null}}', 'JSON'),
        kv('dt', 'kv.ns', 'dt', '2026-01-02T03:04:05+02:00', 'DATETIME'),
        kv('d', 'kv.ns', 'd', '2026-02-28', 'date'),
        kv('du', 'kv.ns', 'du', 'P1D', 'DURATION'),
      ].join('---\n'),
    });
    const first = await apply(['-f', dir, '--summary']);
    expect(first.err).toEqual([]);
    expect(first.out.at(-1)).toBe('Summary: 7 created, 0 updated, 0 unchanged, 0 deleted');
    const get = async (k: string) => (await api.call('GET', `/api/v1/main/namespaces/kv.ns/kv/${k}`)).json;
    expect(await get('s')).toEqual({ type: 'STRING', value: '42' });
    expect(await get('n')).toEqual({ type: 'NUMBER', value: 3.5 });
    expect(await get('b')).toEqual({ type: 'BOOLEAN', value: true });
    expect(await get('j')).toEqual({ type: 'JSON', value: { b: [1, 2], a: { x: null } } });
    expect(await get('dt')).toEqual({ type: 'DATETIME', value: '2026-01-02T01:04:05.000Z' });
    expect(await get('d')).toEqual({ type: 'DATE', value: '2026-02-28' });
    expect(await get('du')).toEqual({ type: 'STRING', value: 'PT24H' });
    const second = await apply(['-f', dir, '--summary']);
    expect(second.code).toBe(0);
    expect(second.out.at(-1)).toBe('Summary: 0 created, 0 updated, 7 unchanged, 0 deleted');
  });

  it('deploys a read-only flow, which a plain API edit cannot change', async () => {
    const ro = (m: string) => flow('locked', 'ro.ns', m, '    labels:\n      system.readOnly: "true"\n');
    const dir = folder({ 'locked.yaml': ro('v1') });
    expect((await apply(['-f', dir])).out).toEqual(['kestraflow/locked created']);
    const source = (await api.call('GET', '/api/v1/main/flows/ro.ns/locked?source=true')).json['source'] as string;
    const edit = await api.call('PUT', '/api/v1/main/flows/ro.ns/locked', { body: source.replace('message: v1', 'message: hand-edit'), contentType: 'application/x-yaml' });
    expect(edit.status).toBe(409);
    writeFileSync(join(dir, 'locked.yaml'), ro('v2'));
    const plan = await apply(['-f', dir, '--dry-run', '--diff']);
    expect(plan.out).toEqual(['kestraflow/locked configured (dry run)', '    @@ -7 +7 @@', '         type: io.kestra.plugin.core.log.Log', '    -    message: v1', '    +    message: v2']);
    const r = await apply(['-f', dir]);
    expect(r.out).toEqual(['kestraflow/locked configured']);
    const after = await api.call('GET', '/api/v1/main/flows/ro.ns/locked?source=true');
    expect(after.json['revision']).toBe(2);
    expect(after.json['source']).toContain('message: v2');
  });

  it('prunes what an earlier apply created and the manifests dropped (a read-only flow too), and nothing else', async () => {
    const all = { 'flow-a.yaml': flow('a', 'prune.ns', 'a'), 'flow-b.yaml': flow('b', 'prune.ns', 'b', '    labels:\n      system.readOnly: "true"\n'), 'kv.yaml': kv('k', 'prune.ns', 'k', 'v'), 'file.yaml': nsfile('f', 'prune.ns', 'f.txt', 'F') };
    const dir = folder(all);
    expect((await cli(server.url, ['apply', '-f', dir, '--applyset', 'prune-test'])).code).toBe(0);
    // Made by hand, not by apply: never pruned.
    expect((await api.createFlow('id: manual\nnamespace: prune.ns\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: m\n')).status).toBe(200);
    const { 'flow-b.yaml': _b, 'kv.yaml': _k, 'file.yaml': _f, ...kept } = all;
    const smaller = folder(kept);
    const noPrune = await cli(server.url, ['apply', '-f', smaller, '--applyset', 'prune-test']);
    expect(noPrune.out).toEqual(['kestraflow/a unchanged']);
    expect(await status('/api/v1/main/flows/prune.ns/b')).toBe(200);

    const dry = await cli(server.url, ['apply', '-f', smaller, '--applyset', 'prune-test', '--prune', '--dry-run', '--summary']);
    expect(dry.out).toEqual([
      'kestraflow/a unchanged',
      'kestraflow/b deleted (dry run)',
      'kestrakeyvalue/k deleted (dry run)',
      'kestranamespacefile/f deleted (dry run)',
      'Summary: 0 created, 0 updated, 1 unchanged, 3 deleted (dry run)',
    ]);
    expect(await status('/api/v1/main/flows/prune.ns/b')).toBe(200);

    const pruned = await cli(server.url, ['apply', '-f', smaller, '--applyset', 'prune-test', '--prune']);
    expect(pruned.code).toBe(0);
    expect(pruned.out).toEqual(['kestraflow/a unchanged', 'kestraflow/b deleted', 'kestrakeyvalue/k deleted', 'kestranamespacefile/f deleted']);
    expect(await status('/api/v1/main/flows/prune.ns/b')).toBe(404);
    expect(await status('/api/v1/main/namespaces/prune.ns/kv/k')).toBe(404);
    expect(await status('/api/v1/main/namespaces/prune.ns/files?path=/f.txt')).toBe(404);
    expect(await status('/api/v1/main/flows/prune.ns/a')).toBe(200);
    expect(await status('/api/v1/main/flows/prune.ns/manual')).toBe(200);
    // The inventory now holds only flow a.
    const inventory = (await api.call('GET', '/api/v1/main/namespaces/system/kv/windhover-apply.prune-test')).json['value'] as { resources: { id: string }[] };
    expect(inventory.resources.map((r) => r.id)).toEqual(['a']);
  });

  it('refuses to prune everything when the manifests came back empty, unless --allow-empty', async () => {
    const dir = folder({ 'x.yaml': kv('x', 'empty.ns', 'x', '1') });
    expect((await cli(server.url, ['apply', '-f', dir, '--applyset', 'empty-test'])).code).toBe(0);
    const empty = folder({ 'README.md': 'no manifests here' });
    const refused = await cli(server.url, ['apply', '-f', empty, '--applyset', 'empty-test', '--prune']);
    expect(refused.code).toBe(1);
    expect(refused.err.join('\n')).toContain('--prune would delete all 1 resource(s)');
    expect(await status('/api/v1/main/namespaces/empty.ns/kv/x')).toBe(200);
    const allowed = await cli(server.url, ['apply', '-f', empty, '--applyset', 'empty-test', '--prune', '--allow-empty']);
    expect(allowed.out).toEqual(['kestrakeyvalue/x deleted']);
    expect(await status('/api/v1/main/namespaces/empty.ns/kv/x')).toBe(404);
  });

  it('applies with a warning when the apply set cannot be read, but refuses to prune without it', async () => {
    const proxy = await faultyProxy(server.url, (_method, url) => url.includes('/kv/windhover-apply.'));
    try {
      const dir = folder({ 'k.yaml': kv('inv', 'inv.ns', 'inv', 'v') });
      const pruning = await cli(proxy.url, ['apply', '-f', dir, '--prune']);
      expect(pruning.code).toBe(1);
      expect(pruning.err).toEqual(['apply failed: GET /api/v1/main/namespaces/system/kv/windhover-apply.default failed with HTTP 503: injected outage']);
      expect(await status('/api/v1/main/namespaces/inv.ns/kv/inv')).toBe(404);
      const plain = await cli(proxy.url, ['apply', '-f', dir]);
      expect(plain.code).toBe(0);
      expect(plain.out).toEqual(['kestrakeyvalue/inv created']);
      expect(plain.err).toEqual(["warning: cannot read apply set 'default', so it is not updated: GET /api/v1/main/namespaces/system/kv/windhover-apply.default failed with HTTP 503: injected outage"]);
    } finally {
      await proxy.close();
    }
  });

  it('exits non-zero naming the server message when a write fails after planning, and prunes nothing then', async () => {
    const base = { 'a.yaml': flow('a', 'fail.ns', 'a'), 'k.yaml': kv('old', 'fail.ns', 'old', 'x') };
    expect((await cli(server.url, ['apply', '-f', folder(base), '--applyset', 'fail-test'])).code).toBe(0);
    const proxy = await faultyProxy(server.url, (method, url) => method === 'PUT' && url.includes('/flows/fail.ns/a'));
    try {
      const r = await cli(proxy.url, ['apply', '-f', folder({ 'a.yaml': flow('a', 'fail.ns', 'a2'), 'n.yaml': kv('new', 'fail.ns', 'new', 'y') }), '--applyset', 'fail-test', '--prune']);
      expect(r.code).toBe(1);
      expect(r.out).toEqual(['kestrakeyvalue/new created']);
      expect(r.err).toEqual(['kestraflow/a: PUT /api/v1/main/flows/fail.ns/a failed with HTTP 503: injected outage', 'Pruning skipped: 1 resource(s) failed to apply.']);
      expect(await status('/api/v1/main/namespaces/fail.ns/kv/old')).toBe(200);
    } finally {
      await proxy.close();
    }
  });
});
