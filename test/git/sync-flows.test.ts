import { loadAll } from 'ion-js';
import { SyncFlows } from '@windhover/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitTestServer, startGitServer } from '../support/git-server';
import { closeTaskWorlds, createTaskWorld, type TaskWorld } from '../support/task-world';

let server: GitTestServer;
beforeAll(async () => {
  server = await startGitServer();
});
afterAll(async () => {
  await closeTaskWorlds();
  await server.stop();
});

const flow = (id: string, ns = 'anything', msg = 'hello') =>
  `id: ${id}\nnamespace: ${ns}\n# a comment that must survive\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${msg}\n`;

let repoCounter = 0;
function newRepo(files: Record<string, string | null>): string {
  const name = `sync-flows-${++repoCounter}`;
  server.createRepo(name);
  if (Object.keys(files).length > 0) server.commit(name, files);
  return name;
}

function world(): TaskWorld {
  return createTaskWorld({ secrets: { GIT_TOKEN: server.password } });
}

function task(repo: string, props: Record<string, unknown> = {}) {
  return {
    id: 'sync',
    type: 'io.kestra.plugin.git.SyncFlows',
    url: server.url(repo),
    username: server.username,
    password: "{{ secret('GIT_TOKEN') }}",
    targetNamespace: 'company.team',
    gitDirectory: 'flows',
    ...props,
  };
}

async function failure(p: Promise<unknown>): Promise<Error & { retryable?: boolean }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

async function rows(w: TaskWorld, uri: unknown): Promise<Record<string, unknown>[]> {
  return JSON.parse(JSON.stringify(loadAll(await w.readIon(String(uri)))));
}

describe('SyncFlows', () => {
  it('imports flows into the target namespace, rewriting their namespace, and reports ADDED rows in ION', async () => {
    const repo = newRepo({ 'flows/a.yml': flow('a'), 'flows/b.yaml': flow('b'), 'README.md': '# not in gitDirectory' });
    const w = world();
    const result = await SyncFlows.run(task(repo), w.context());
    const a = await w.flows.get('company.team', 'a');
    expect(a?.source).toContain('namespace: company.team');
    expect(a?.source).toContain('# a comment that must survive');
    expect(await rows(w, result.outputs?.flows)).toEqual([
      { gitPath: 'flows/a.yml', syncState: 'ADDED', flowId: 'a', namespace: 'company.team', revision: 1 },
      { gitPath: 'flows/b.yaml', syncState: 'ADDED', flowId: 'b', namespace: 'company.team', revision: 1 },
    ]);
  });

  it('reports UNCHANGED for identical sources and creates no new revision', async () => {
    const repo = newRepo({ 'flows/a.yml': flow('a') });
    const w = world();
    await SyncFlows.run(task(repo), w.context());
    server.commit(repo, { 'other.txt': 'unrelated change' });
    const result = await SyncFlows.run(task(repo), w.context());
    expect((await w.revisions('company.team', 'a')).length).toBe(1);
    expect((await rows(w, result.outputs?.flows))[0]).toMatchObject({ syncState: 'UNCHANGED', revision: 1 });
  });

  it('reports UPDATED with the new revision when the source changed', async () => {
    const repo = newRepo({ 'flows/a.yml': flow('a') });
    const w = world();
    await SyncFlows.run(task(repo), w.context());
    server.commit(repo, { 'flows/a.yml': flow('a', 'x', 'changed') });
    const result = await SyncFlows.run(task(repo), w.context());
    expect((await rows(w, result.outputs?.flows))[0]).toMatchObject({ syncState: 'UPDATED', revision: 2 });
    expect((await w.flows.get('company.team', 'a'))?.source).toContain('changed');
  });

  it('maps sub-folders to child namespaces only with includeChildNamespaces', async () => {
    const repo = newRepo({ 'flows/a.yml': flow('a'), 'flows/tutorial/deep/b.yml': flow('b') });
    const w = world();
    await SyncFlows.run(task(repo), w.context());
    expect(await w.flows.get('company.team.tutorial.deep', 'b')).toBeUndefined();
    await SyncFlows.run(task(repo, { includeChildNamespaces: true }), w.context());
    expect((await w.flows.get('company.team.tutorial.deep', 'b'))?.source).toContain('namespace: company.team.tutorial.deep');
  });

  it('applies nothing when one flow is invalid and lists every invalid file with its line', async () => {
    const repo = newRepo({
      'flows/good.yml': flow('good'),
      'flows/bad1.yml': 'id: bad1\nnamespace: x\ntasks:\n  - id: t\n    type: not.a.plugin\n',
      'flows/bad2.yml': 'id: bad2\nnamespace: x\ntasks:\n  - id: t\n   type: io.kestra.plugin.core.log.Log\n',
    });
    const w = world();
    await expect(SyncFlows.run(task(repo), w.context())).rejects.toThrow(
      /2 file\(s\) failed validation, nothing was applied[\s\S]*flows\/bad1\.yml:5: tasks\[0\]\.type: unknown task type `not\.a\.plugin`[\s\S]*flows\/bad2\.yml:5: YAML syntax error/,
    );
    expect(await w.flows.get('company.team', 'good')).toBeUndefined();
  });

  it('rejects exactly what the flow API rejects, with the API validator messages and lines', async () => {
    // Well-formed YAML with ids, namespace and known types: only the full flow validator refuses it.
    const dup = `id: dup\nnamespace: company.team\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: a\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: b\ntriggers:\n  - id: s\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "every day"\n`;
    const repo = newRepo({ 'flows/good.yml': flow('good'), 'flows/dup.yml': dup });
    const w = world();
    const [api] = await w.flowService.validateMany(w.tenantId, dup);
    const constraints = String(api.constraints).split('\n');
    expect(constraints).toHaveLength(2);
    await expect(w.putFlow(dup)).rejects.toThrow(/Invalid flow/);
    const err = await failure(SyncFlows.run(task(repo), w.context()));
    expect(err.message).toContain('1 file(s) failed validation, nothing was applied');
    expect(err.message).toContain(`flows/dup.yml:7: ${constraints[0]}`);
    expect(err.message).toContain(`flows/dup.yml:13: ${constraints[1]}`);
    expect(await w.flows.list({ namespace: '', includeChildNamespaces: true })).toEqual([]);
  });

  it('skips invalid flows with ignoreInvalidFlows and applies the rest', async () => {
    const repo = newRepo({ 'flows/good.yml': flow('good'), 'flows/README.md': '# docs\n' });
    const w = world();
    const result = await SyncFlows.run(task(repo, { ignoreInvalidFlows: true }), w.context());
    expect(await w.flows.get('company.team', 'good')).toBeDefined();
    expect(await rows(w, result.outputs?.flows)).toHaveLength(1);
    expect((await w.logs()).some((l) => l.level === 'WARN' && l.message.includes('README.md'))).toBe(true);
  });

  it('honours .kestraignore', async () => {
    const repo = newRepo({ 'flows/a.yml': flow('a'), 'flows/README.md': '# docs', 'flows/drafts/x.yml': 'broken: [', 'flows/.kestraignore': '*.md\ndrafts/\n' });
    const w = world();
    const result = await SyncFlows.run(task(repo, { includeChildNamespaces: true }), w.context());
    expect((await rows(w, result.outputs?.flows)).map((r) => r.flowId)).toEqual(['a']);
  });

  it('deletes flows missing from Git only with delete: true, never the running flow, and dry runs change nothing', async () => {
    const repo = newRepo({ 'flows/a.yml': flow('a') });
    const w = world();
    await w.putFlow(flow('old', 'company.team'));
    await w.putFlow(flow('git_sync', 'company.team'));
    await SyncFlows.run(task(repo), w.context({ namespace: 'company.team', flowId: 'git_sync' }));
    expect(await w.flows.get('company.team', 'old')).toBeDefined();

    const dry = await SyncFlows.run(task(repo, { delete: true, dryRun: true }), w.context({ namespace: 'company.team', flowId: 'git_sync' }));
    expect(await w.flows.get('company.team', 'old')).toBeDefined();
    expect((await rows(w, dry.outputs?.flows))[0]).toMatchObject({ syncState: 'DELETED', flowId: 'old' });

    const result = await SyncFlows.run(task(repo, { delete: true }), w.context({ namespace: 'company.team', flowId: 'git_sync' }));
    expect(await w.flows.get('company.team', 'old')).toBeUndefined();
    // A soft delete, as the API's: a tombstone revision after the live one.
    expect((await w.revisions('company.team', 'old')).map((f) => [f.revision, f.deleted === true])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(await w.flows.get('company.team', 'git_sync')).toBeDefined();
    const r = await rows(w, result.outputs?.flows);
    expect(r[0]).toEqual({ syncState: 'DELETED', flowId: 'old', namespace: 'company.team', revision: 1 });
  });

  it('dry run reports what would be added and updated without writing', async () => {
    const repo = newRepo({ 'flows/a.yml': flow('a'), 'flows/b.yml': flow('b') });
    const w = world();
    await w.putFlow(flow('a', 'company.team', 'old'));
    const result = await SyncFlows.run(task(repo, { dryRun: true }), w.context());
    expect(await rows(w, result.outputs?.flows)).toEqual([
      { gitPath: 'flows/a.yml', syncState: 'UPDATED', flowId: 'a', namespace: 'company.team', revision: 2 },
      { gitPath: 'flows/b.yml', syncState: 'ADDED', flowId: 'b', namespace: 'company.team', revision: 1 },
    ]);
    expect(await w.flows.get('company.team', 'b')).toBeUndefined();
    expect((await w.revisions('company.team', 'a')).length).toBe(1);
    expect(result.outputs).toMatchObject({ syncStatus: 'OutOfSync', counts: { UPDATED: 1, ADDED: 1 } });
    await SyncFlows.run(task(repo), w.context());
    expect((await SyncFlows.run(task(repo, { dryRun: true }), w.context())).outputs).toMatchObject({ syncStatus: 'Synced', counts: { UNCHANGED: 2 } });
  });

  it('refuses to prune everything when the source is empty, unless allowEmpty', async () => {
    const repo = newRepo({ 'other/readme.txt': 'x' });
    const w = world();
    await w.putFlow(flow('keep', 'company.team'));
    await expect(SyncFlows.run(task(repo, { delete: true, failOnMissingDirectory: false }), w.context())).rejects.toThrow(/Refusing to delete all 1 flow/);
    expect(await w.flows.get('company.team', 'keep')).toBeDefined();
    await SyncFlows.run(task(repo, { delete: true, failOnMissingDirectory: false, allowEmpty: true }), w.context());
    expect(await w.flows.get('company.team', 'keep')).toBeUndefined();
  });

  it('fails on a missing directory by default', async () => {
    const repo = newRepo({ 'other/x.yml': flow('x') });
    await expect(SyncFlows.run(task(repo), world().context())).rejects.toThrow(/directory 'flows' was not found/);
  });

  it('fails on a branch that does not exist instead of reading the default branch', async () => {
    const repo = newRepo({ 'flows/a.yml': flow('a') });
    const w = world();
    await expect(SyncFlows.run(task(repo, { branch: 'mian' }), w.context())).rejects.toThrow(/Branch 'mian' does not exist.*branches: main/);
    expect(await w.flows.get('company.team', 'a')).toBeUndefined();
  });

  it('fails clearly on an empty repository', async () => {
    const repo = newRepo({});
    await expect(SyncFlows.run(task(repo), world().context())).rejects.toThrow(/the repository is empty/);
  });

  it('fails with a clear message on bad credentials, without the secret in it', async () => {
    const repo = newRepo({ 'flows/a.yml': flow('a') });
    const w = createTaskWorld({ secrets: { GIT_TOKEN: 'wrong-token-value' } });
    const err = await failure(SyncFlows.run(task(repo), w.context()));
    expect(err.message).toMatch(/Authentication failed for http:\/\/127\.0\.0\.1:\d+\/sync-flows-\d+\.git \(HTTP 401\)/);
    expect(err.message).not.toContain('wrong-token-value');
    expect((err as { retryable?: boolean }).retryable).toBe(false);
  });

  it('makes one ref lookup and no writes when the branch head was already applied', async () => {
    const repo = newRepo({ 'flows/a.yml': flow('a'), 'flows/b.yml': flow('b') });
    const w = world();
    await SyncFlows.run(task(repo), w.context());
    // Every flow revision (tombstones included) and every KV entry of the target and the running flow's namespaces.
    const stored = async () =>
      JSON.stringify({
        flows: await Promise.all(['a', 'b'].map((id) => w.revisions('company.team', id))),
        all: await w.flows.list({ namespace: '', includeChildNamespaces: true }),
        kv: [await w.kv('company.team').list(), await w.kv('system').list()],
      });
    const before = await stored();
    const requestsBefore = server.requests.length;
    const result = await SyncFlows.run(task(repo), w.context());
    const requests = server.requests.slice(requestsBefore);
    expect(requests).toHaveLength(1);
    expect(await stored()).toBe(before);
    expect((await rows(w, result.outputs?.flows)).map((r) => r.syncState)).toEqual(['UNCHANGED', 'UNCHANGED']);
  });

  it('re-applies Git over a hand edit even when the branch did not move (drift is healed)', async () => {
    const repo = newRepo({ 'flows/a.yml': flow('a') });
    const w = world();
    await SyncFlows.run(task(repo), w.context());
    await w.putFlow(flow('a', 'company.team', 'edited in the UI'));
    const result = await SyncFlows.run(task(repo), w.context());
    expect((await rows(w, result.outputs?.flows))[0]).toMatchObject({ syncState: 'UPDATED' });
    expect((await w.flows.get('company.team', 'a'))?.source).not.toContain('edited in the UI');
  });
});

describe('SyncFlows on a large repository', () => {
  it('syncs 500 flows across 10 child namespaces, then no-ops, and records a failed attempt in the status', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 500; i++) files[`flows/team${i % 10}/f${i}.yml`] = flow(`f${i}`, 'x', `m${i}`);
    const repo = newRepo(files);
    const w = world();
    const result = await SyncFlows.run(task(repo, { includeChildNamespaces: true, delete: true }), w.context());
    expect(result.outputs?.counts).toEqual({ ADDED: 500 });
    expect(await w.flows.list({ namespace: 'company.team', includeChildNamespaces: true })).toHaveLength(500);
    expect((await w.flows.get('company.team.team7', 'f497'))?.source).toContain('message: m497');
    const again = await SyncFlows.run(task(repo, { includeChildNamespaces: true, delete: true }), w.context());
    expect(again.outputs?.counts).toEqual({ UNCHANGED: 500 });

    await expect(SyncFlows.run(task(repo, { includeChildNamespaces: true, delete: true, branch: 'gone' }), w.context())).rejects.toThrow(/does not exist/);
    const record = (await w.kv('company.team').list()).find((e) => e.key.startsWith('windhover.gitops.') && (e.value as { branch?: string }).branch === 'gone');
    expect(record?.value).toMatchObject({ lastResult: 'FAILED', lastError: expect.stringContaining("Branch 'gone' does not exist") });
  });
});
