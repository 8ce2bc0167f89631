import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startE2eServer } from '../e2e/local-client';
import { cli, faultyProxy, folder } from './cicd-support';

let server: LocalServer;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  server = await startE2eServer(mkdtempSync(join(tmpdir(), 'wh-cicd-deploy-')));
  api = client(server.url);
});
afterAll(async () => {
  await server?.close();
});

const flow = (id: string, ns: string, message: string, extra = ''): string =>
  `id: ${id}\nnamespace: ${ns}\n${extra}tasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: ${message}\n`;
const deploy = (args: readonly string[]) => cli(server.url, ['flow', 'deploy', ...args]);
const get = (ns: string, id: string) => api.call('GET', `/api/v1/main/flows/${ns}/${id}?source=true`);

describe('windhover flow deploy', () => {
  it('deploys a folder recursively (hidden files skipped), then finds identical flows unchanged without --override', async () => {
    const dir = folder({
      'a.yml': flow('a', 'deploy.one', 'a'),
      'sub/b.yaml': flow('b', 'deploy.one.child', 'b'),
      '.hidden/c.yaml': flow('c', 'deploy.one', 'c'),
      '.skipped.yaml': flow('d', 'deploy.one', 'd'),
      'notes.txt': 'not a flow',
    });
    const first = await deploy([dir]);
    expect(first.err).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.out).toEqual([`created   deploy.one.a  ${join(dir, 'a.yml')}`, `created   deploy.one.child.b  ${join(dir, 'sub/b.yaml')}`, '2 flow(s): 2 created, 0 updated, 0 unchanged, 0 deleted']);
    expect((await get('deploy.one', 'c')).status).toBe(404);
    const again = await deploy([dir]);
    expect(again.code).toBe(0);
    expect(again.out.at(-1)).toBe('2 flow(s): 0 created, 0 updated, 2 unchanged, 0 deleted');
    expect((await get('deploy.one', 'a')).json['revision']).toBe(1);
  });

  it('refuses to change an existing flow without --override and deploys nothing; --override updates it', async () => {
    const dir = folder({ 'x.yaml': flow('x', 'deploy.two', 'v1'), 'y.yaml': flow('y', 'deploy.two', 'v1') });
    expect((await deploy([dir])).code).toBe(0);
    writeFileSync(join(dir, 'x.yaml'), flow('x', 'deploy.two', 'v2'));
    writeFileSync(join(dir, 'z.yaml'), flow('z', 'deploy.two', 'v1'));
    const refused = await deploy([dir]);
    expect(refused.code).toBe(1);
    expect(refused.err.join('\n')).toContain(`${join(dir, 'x.yaml')}:1: flow 'deploy.two.x' already exists and differs; use --override to update it`);
    expect((await get('deploy.two', 'z')).status).toBe(404);
    const r = await deploy([dir, '--override', '--diff']);
    expect(r.code).toBe(0);
    expect(r.out[1]).toBe('    @@ -5 +5 @@');
    expect(r.out.slice(2, 5)).toEqual(['         type: io.kestra.plugin.core.log.Log', '    -    message: v1', '    +    message: v2']);
    expect(r.out.filter((l) => !l.startsWith('    ')).slice(0, 3).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['updated deploy.two.x', 'unchanged deploy.two.y', 'created deploy.two.z']);
    const x = await get('deploy.two', 'x');
    expect(x.json['revision']).toBe(2);
    expect(x.json['source']).toContain('message: v2');
  });

  it('validates every flow through the API first and lists each invalid one at its file and line, deploying none', async () => {
    const dir = folder({
      'good.yaml': flow('good', 'deploy.three', 'ok'),
      'bad-type.yaml': `# comment\n${flow('bad1', 'deploy.three', 'x').replace('core.log.Log', 'core.log.Nope')}`,
      'multi.yaml': `${flow('fine', 'deploy.three', 'ok')}---\nid: bad2\nnamespace: deploy.three\ntasks: []\n`,
      'dup.yaml': flow('good', 'deploy.three', 'twice'),
    });
    const r = await deploy([dir]);
    expect(r.code).toBe(1);
    const text = r.err.join('\n');
    expect(text).toContain(`${join(dir, 'bad-type.yaml')}:6: tasks[0].type: unknown task type \`io.kestra.plugin.core.log.Nope\``);
    expect(text).toContain(`${join(dir, 'multi.yaml')}:10: tasks: must not be empty`);
    expect(text).toContain(`${join(dir, 'good.yaml')}:1: flow 'deploy.three.good' is also defined in ${join(dir, 'dup.yaml')}:1`);
    expect(r.out).toEqual([]);
    for (const id of ['good', 'fine']) expect((await get('deploy.three', id)).status).toBe(404);
  });

  it('--namespace moves every flow into one namespace and keeps comments; --delete removes only that namespace flows missing from the folder', async () => {
    const other = await api.createFlow(flow('keep', 'deploy.other', 'k'));
    expect(other.status).toBe(200);
    const dir = folder({ 'p.yaml': `# owned by CI\nid: p\nnamespace: dev.team # was dev\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: p\n`, 'q.yaml': flow('q', 'anything', 'q') });
    const first = await deploy([dir, '--namespace', 'deploy.prod']);
    expect(first.code).toBe(0);
    const p = await get('deploy.prod', 'p');
    expect(p.json['source']).toBe('# owned by CI\nid: p\nnamespace: deploy.prod # was dev\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: p\n');
    expect((await get('dev.team', 'p')).status).toBe(404);

    expect((await deploy([dir, '--delete'])).err.join('\n')).toContain('--delete needs --namespace');
    rmSync(join(dir, 'q.yaml'));
    const dry = await deploy([dir, '--namespace', 'deploy.prod', '--delete', '--dry-run']);
    expect(dry.out).toEqual([`unchanged deploy.prod.p  ${join(dir, 'p.yaml')}`, 'deleted   deploy.prod.q', '2 flow(s) (dry run): 0 created, 0 updated, 1 unchanged, 1 deleted']);
    expect((await get('deploy.prod', 'q')).status).toBe(200);
    const r = await deploy([dir, '--namespace', 'deploy.prod', '--delete', '-o', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out.join('\n')) as { results: { id: string; status: string }[]; summary: Record<string, number> };
    expect(report.results.map((x) => `${x.id}:${x.status}`)).toEqual(['p:unchanged', 'q:deleted']);
    expect(report.summary).toMatchObject({ created: 0, updated: 0, unchanged: 1, deleted: 1, failed: 0 });
    expect((await get('deploy.prod', 'q')).status).toBe(404);
    expect((await get('deploy.other', 'keep')).status).toBe(200);
  });

  it('--delete refuses an empty folder unless --allow-empty', async () => {
    expect((await api.createFlow(flow('only', 'deploy.empty', 'o'))).status).toBe(200);
    const empty = folder({ 'README.md': 'moved' });
    const refused = await deploy([empty, '--namespace', 'deploy.empty', '--delete']);
    expect(refused.code).toBe(1);
    expect(refused.err.join('\n')).toContain('add --allow-empty');
    expect((await get('deploy.empty', 'only')).status).toBe(200);
    const allowed = await deploy([empty, '--namespace', 'deploy.empty', '--delete', '--allow-empty']);
    expect(allowed.out).toEqual(['deleted   deploy.empty.only', '1 flow(s): 0 created, 0 updated, 0 unchanged, 1 deleted']);
  });

  it('updates a read-only flow, which the same edit without the managed-by header cannot', async () => {
    const ro = (m: string) => flow('locked', 'deploy.ro', m, 'labels:\n  system.readOnly: "true"\n');
    const dir = folder({ 'locked.yaml': ro('v1') });
    expect((await deploy([dir])).code).toBe(0);
    const byHand = await api.call('PUT', '/api/v1/main/flows/deploy.ro/locked', { body: ro('v2'), contentType: 'application/x-yaml' });
    expect(byHand.status).toBe(409);
    expect(byHand.json['message']).toContain('read-only');
    writeFileSync(join(dir, 'locked.yaml'), ro('v2'));
    const r = await deploy([dir, '--override']);
    expect(r.code).toBe(0);
    expect((await get('deploy.ro', 'locked')).json['source']).toContain('message: v2');
  });

  it('without --fail-fast deploys the rest after a failed write; with it skips the rest; both exit non-zero', async () => {
    const dir = folder({ '1.yaml': flow('f1', 'deploy.fail', '1'), '2.yaml': flow('f2', 'deploy.fail', '2'), '3.yaml': flow('f3', 'deploy.fail', '3') });
    const proxy = await faultyProxy(server.url, (method, url, body) => method === 'POST' && url.endsWith('/flows') && body.includes('id: f2'));
    try {
      const fast = await cli(proxy.url, ['flow', 'deploy', dir, '--fail-fast']);
      expect(fast.code).toBe(1);
      expect(fast.err).toEqual([`failed    deploy.fail.f2  ${join(dir, '2.yaml')}  POST /api/v1/main/flows failed with HTTP 503: injected outage`]);
      expect(fast.out.at(-1)).toBe('3 flow(s): 1 created, 0 updated, 0 unchanged, 0 deleted, 1 failed, 1 skipped');
      expect((await get('deploy.fail', 'f3')).status).toBe(404);
      const slow = await cli(proxy.url, ['flow', 'deploy', dir]);
      expect(slow.code).toBe(1);
      expect(slow.out.at(-1)).toBe('3 flow(s): 1 created, 0 updated, 1 unchanged, 0 deleted, 1 failed');
      expect((await get('deploy.fail', 'f3')).status).toBe(200);
    } finally {
      await proxy.close();
    }
  });
});
