import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'ion-js';
import { NamespaceSync, TenantSync } from '@windhover/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitTestServer, git, startGitServer } from '../support/git-server';
import { closeTaskWorlds, createTaskWorld, type TaskWorld } from '../support/task-world';

let server: GitTestServer;
beforeAll(async () => {
  server = await startGitServer();
});
afterAll(async () => {
  await closeTaskWorlds();
  await server.stop();
});

const flow = (id: string, ns: string, msg = 'hello') => `id: ${id}\nnamespace: ${ns}\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${msg}\n`;
let n = 0;
function newRepo(files: Record<string, string> = {}): string {
  const name = `twoway-${++n}`;
  server.createRepo(name);
  if (Object.keys(files).length > 0) server.commit(name, files);
  return name;
}
const world = (): TaskWorld => createTaskWorld({ secrets: { GIT_TOKEN: server.password } });
const conn = (repo: string) => ({ url: server.url(repo), username: server.username, password: "{{ secret('GIT_TOKEN') }}", branch: 'main' });
async function rows(w: TaskWorld, uri: unknown): Promise<Record<string, unknown>[]> {
  return JSON.parse(JSON.stringify(loadAll(await w.readIon(String(uri)))));
}
const tree = (repo: string) => git(['ls-tree', '-r', '--name-only', 'HEAD'], server.cloneForCheck(repo)).split('\n');

describe('NamespaceSync', () => {
  it('KESTRA → Git writes <ns>/flows/<id>.yaml and <ns>/files/<path>, deletes what Windhover lacks, and commits once', async () => {
    const repo = newRepo({ 'company.team/flows/stale.yaml': flow('stale', 'company.team'), 'README.md': 'keep' });
    const w = world();
    await w.putFlow(flow('hello', 'company.team'));
    await w.namespaceFiles.put('company.team', '/scripts/a.py', new TextEncoder().encode('print(1)'));
    const result = await NamespaceSync.run({ id: 'ns', type: 'io.kestra.plugin.git.NamespaceSync', ...conn(repo), namespace: 'company.team' }, w.context());
    expect(tree(repo)).toEqual(['README.md', 'company.team/files/scripts/a.py', 'company.team/flows/hello.yaml']);
    const check = server.cloneForCheck(repo);
    expect(git(['log', '-1', '--format=%s'], check)).toBe('Namespace sync from Kestra');
    expect(result.outputs?.commitId).toBe(git(['rev-parse', 'HEAD'], check));
    const again = await NamespaceSync.run({ id: 'ns', type: 'io.kestra.plugin.git.NamespaceSync', ...conn(repo), namespace: 'company.team' }, w.context());
    expect(again.outputs?.commitId).toBeNull();
  });

  it('KESTRA dry run lists DiffLines and pushes nothing; KEEP leaves Git-only files', async () => {
    const repo = newRepo({ 'company.team/flows/stale.yaml': flow('stale', 'company.team') });
    const w = world();
    await w.putFlow(flow('hello', 'company.team'));
    const dry = await NamespaceSync.run({ id: 'ns', type: 'io.kestra.plugin.git.NamespaceSync', ...conn(repo), namespace: 'company.team', dryRun: true }, w.context());
    expect(await rows(w, dry.outputs?.diff)).toEqual([
      { file: 'company.team/flows/hello.yaml', key: 'company.team:hello', kind: 'FLOW', action: 'ADDED' },
      { file: 'company.team/flows/stale.yaml', key: 'company.team:stale', kind: 'FLOW', action: 'DELETED_GIT' },
    ]);
    expect(tree(repo)).toEqual(['company.team/flows/stale.yaml']);
    await NamespaceSync.run({ id: 'ns', type: 'io.kestra.plugin.git.NamespaceSync', ...conn(repo), namespace: 'company.team', whenMissingInSource: 'KEEP' }, w.context());
    expect(tree(repo)).toEqual(['company.team/flows/hello.yaml', 'company.team/flows/stale.yaml']);
  });

  it('GIT → Windhover applies flows and files, deletes what Git lacks, and reports DiffLines', async () => {
    const repo = newRepo({ 'company.team/flows/hello.yaml': flow('hello', 'wrong.namespace'), 'company.team/files/q.sql': 'select 1' });
    const w = world();
    await w.putFlow(flow('old', 'company.team'));
    const result = await NamespaceSync.run({ id: 'ns', type: 'io.kestra.plugin.git.NamespaceSync', ...conn(repo), namespace: 'company.team', sourceOfTruth: 'GIT' }, w.context());
    expect((await w.flows.get('company.team', 'hello'))?.source).toContain('namespace: company.team');
    expect(await w.flows.get('company.team', 'old')).toBeUndefined();
    expect(new TextDecoder().decode(await w.namespaceFiles.get('company.team', '/q.sql'))).toBe('select 1');
    expect(await rows(w, result.outputs?.diff)).toEqual([
      { file: 'company.team/files/q.sql', key: 'company.team:/q.sql', kind: 'FILE', action: 'ADDED' },
      { file: 'company.team/flows/hello.yaml', key: 'company.team:hello', kind: 'FLOW', action: 'ADDED' },
      { file: 'company.team/flows/old.yaml', key: 'company.team:old', kind: 'FLOW', action: 'DELETED_KES' },
    ]);
  });

  it('GIT mode with an invalid flow or a file name that is not the id applies nothing (FAIL) or skips it (WARN)', async () => {
    const repo = newRepo({ 'team/flows/good.yaml': flow('good', 'team'), 'team/flows/renamed.yaml': flow('other_id', 'team') });
    const w = world();
    await expect(NamespaceSync.run({ id: 'ns', type: 'io.kestra.plugin.git.NamespaceSync', ...conn(repo), namespace: 'team', sourceOfTruth: 'GIT' }, w.context())).rejects.toThrow(
      /nothing was applied[\s\S]*renamed\.yaml: the file name must be the flow id/,
    );
    expect(await w.flows.get('team', 'good')).toBeUndefined();
    await NamespaceSync.run({ id: 'ns', type: 'io.kestra.plugin.git.NamespaceSync', ...conn(repo), namespace: 'team', sourceOfTruth: 'GIT', onInvalidSyntax: 'WARN' }, w.context());
    expect(await w.flows.get('team', 'good')).toBeDefined();
    expect(await w.flows.get('team', 'other_id')).toBeUndefined();
  });

  it('whenMissingInSource FAIL stops before any change; protected namespaces are never pruned', async () => {
    const repo = newRepo({ 'system/flows/a.yaml': flow('a', 'system') });
    const w = world();
    await w.putFlow(flow('mine', 'system'));
    await expect(
      NamespaceSync.run({ id: 'ns', type: 'io.kestra.plugin.git.NamespaceSync', ...conn(repo), namespace: 'system', sourceOfTruth: 'GIT', whenMissingInSource: 'FAIL' }, w.context()),
    ).rejects.toThrow(/whenMissingInSource is FAIL/);
    expect(await w.flows.get('system', 'a')).toBeUndefined();
    await NamespaceSync.run({ id: 'ns', type: 'io.kestra.plugin.git.NamespaceSync', ...conn(repo), namespace: 'system', sourceOfTruth: 'GIT' }, w.context());
    expect(await w.flows.get('system', 'mine')).toBeDefined();
    expect(await w.flows.get('system', 'a')).toBeDefined();
  });

  it('requires the branch to exist in GIT mode', async () => {
    const repo = newRepo({ 'x/flows/a.yaml': flow('a', 'x') });
    await expect(
      NamespaceSync.run({ id: 'ns', type: 'io.kestra.plugin.git.NamespaceSync', ...conn(repo), branch: 'prod', namespace: 'x', sourceOfTruth: 'GIT' }, world().context()),
    ).rejects.toThrow(/Branch 'prod' does not exist/);
  });
});

describe('TenantSync', () => {
  it('KESTRA → Git exports every namespace, then GIT → a fresh instance restores them', async () => {
    const repo = newRepo();
    const w = world();
    await w.putFlow(flow('a', 'company'));
    await w.putFlow(flow('b', 'company.team'));
    await w.namespaceFiles.put('company.team', '/etl.py', new TextEncoder().encode('print(1)'));
    await TenantSync.run({ id: 't', type: 'io.kestra.plugin.git.TenantSync', ...conn(repo), gitDirectory: 'monorepo' }, w.context({ namespace: 'system' }));
    expect(tree(repo)).toEqual(['monorepo/company.team/files/etl.py', 'monorepo/company.team/flows/b.yaml', 'monorepo/company/flows/a.yaml']);
    expect(readFileSync(join(server.cloneForCheck(repo), 'monorepo/company/flows/a.yaml'), 'utf8')).toBe(flow('a', 'company'));

    const fresh = world();
    await TenantSync.run({ id: 't', type: 'io.kestra.plugin.git.TenantSync', ...conn(repo), gitDirectory: 'monorepo', sourceOfTruth: 'GIT' }, fresh.context({ namespace: 'system' }));
    expect((await fresh.flows.get('company', 'a'))?.source).toBe(flow('a', 'company'));
    expect(await fresh.flows.get('company.team', 'b')).toBeDefined();
    expect(new TextDecoder().decode(await fresh.namespaceFiles.get('company.team', '/etl.py'))).toBe('print(1)');
  });

  it('backs up the KV store with includeKvStore and restores it, skipping the internal GitOps records', async () => {
    const repo = newRepo();
    const w = world();
    await w.putFlow(flow('a', 'company'));
    const kv = w.kv('company');
    await kv.set('threshold', 42, { type: 'NUMBER' });
    await kv.set('config', { retries: 3 }, { namespace: 'company', type: 'JSON' });
    await kv.set('windhover.gitops.abc', { internal: true }, { type: 'JSON' });
    await TenantSync.run({ id: 't', type: 'io.kestra.plugin.git.TenantSync', ...conn(repo), includeKvStore: true }, w.context({ namespace: 'system' }));
    expect(tree(repo)).toEqual(['company/flows/a.yaml', 'company/kv/config.json', 'company/kv/threshold.json']);
    expect(JSON.parse(readFileSync(join(server.cloneForCheck(repo), 'company/kv/threshold.json'), 'utf8'))).toEqual({ type: 'NUMBER', value: 42 });

    const fresh = world();
    const result = await TenantSync.run({ id: 't', type: 'io.kestra.plugin.git.TenantSync', ...conn(repo), includeKvStore: true, sourceOfTruth: 'GIT' }, fresh.context({ namespace: 'system' }));
    expect((await fresh.kv('company').get('threshold'))?.value).toBe(42);
    expect((await fresh.kv('company').get('config'))).toMatchObject({ type: 'JSON', value: { retries: 3 } });
    expect((await rows(fresh, result.outputs?.diff)).filter((r) => r.kind === 'KV').map((r) => r.key)).toEqual(['company:config', 'company:threshold']);
  });
});
