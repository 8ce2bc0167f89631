import { loadAll } from 'ion-js';
import { NamespaceSync, SyncFlow, SyncFlows } from '@windhover/tasks';
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

const NS = 'company.team';
const logFlow = (id: string, msg = 'hello') => `id: ${id}\nnamespace: ${NS}\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${msg}\n`;
const callFlow = (id: string, target: string, ns = NS) =>
  `id: ${id}\nnamespace: ${ns}\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: ${ns}\n    flowId: ${target}\n`;

let repoCounter = 0;
function newRepo(files: Record<string, string | null>): string {
  const name = `sync-revisions-${++repoCounter}`;
  server.createRepo(name);
  server.commit(name, files);
  return name;
}
const world = (): TaskWorld => createTaskWorld({ secrets: { GIT_TOKEN: server.password } });
const conn = (repo: string) => ({ url: server.url(repo), username: server.username, password: "{{ secret('GIT_TOKEN') }}", branch: 'main' });
const syncFlows = (repo: string, props: Record<string, unknown> = {}) => ({
  id: 'sync',
  type: 'io.kestra.plugin.git.SyncFlows',
  ...conn(repo),
  targetNamespace: NS,
  gitDirectory: 'flows',
  delete: true,
  ...props,
});

async function rows(w: TaskWorld, uri: unknown): Promise<Record<string, unknown>[]> {
  return JSON.parse(JSON.stringify(loadAll(await w.readIon(String(uri)))));
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('Git sync revisions after a soft delete', () => {
  it('SyncFlows: a flow deleted by a sync and back in Git is planned by the dry run at the revision the real sync stores', async () => {
    const repo = newRepo({ 'flows/a.yml': logFlow('a'), 'flows/b.yml': logFlow('b') });
    const w = world();
    await SyncFlows.run(syncFlows(repo), w.context());
    // b leaves Git: the next sync deletes it (tombstone revision 2).
    server.commit(repo, { 'flows/b.yml': null });
    const deleted = await SyncFlows.run(syncFlows(repo), w.context());
    expect((await rows(w, deleted.outputs?.flows)).find((r) => r['flowId'] === 'b')).toMatchObject({ syncState: 'DELETED', revision: 1 });
    expect((await w.revisions(NS, 'b')).map((r) => [r.revision, r.deleted === true])).toEqual([
      [1, false],
      [2, true],
    ]);

    // b comes back, changed.
    server.commit(repo, { 'flows/b.yml': logFlow('b', 'back') });
    const dry = await SyncFlows.run(syncFlows(repo, { dryRun: true }), w.context());
    const planned = (await rows(w, dry.outputs?.flows)).find((r) => r['flowId'] === 'b');
    expect(planned).toMatchObject({ syncState: 'ADDED', revision: 3 });
    expect((await w.revisions(NS, 'b')).length).toBe(2);

    const real = await SyncFlows.run(syncFlows(repo), w.context());
    const applied = (await rows(w, real.outputs?.flows)).find((r) => r['flowId'] === 'b');
    expect(applied).toEqual(planned);
    const stored = await w.flows.get(NS, 'b');
    expect(stored?.revision).toBe(applied?.['revision']);
    expect(stored?.source).toContain('message: back');
  });

  it('SyncFlow: the dry run reports the revision the real run stores for a flow deleted before', async () => {
    const repo = newRepo({ 'flows/one.yml': logFlow('one', 'v2') });
    const w = world();
    await w.putFlow(logFlow('one'));
    await w.flowService.delete(w.tenantId, NS, 'one');
    const props = { id: 'one', type: 'io.kestra.plugin.git.SyncFlow', ...conn(repo), targetNamespace: NS, flowPath: 'flows/one.yml' };
    const dry = await SyncFlow.run({ ...props, dryRun: true }, w.context());
    expect(dry.outputs?.revision).toBe(3);
    const real = await SyncFlow.run(props, w.context());
    expect(real.outputs?.revision).toBe(dry.outputs?.revision);
    expect((await w.flows.get(NS, 'one'))?.revision).toBe(3);
  });
});

describe('Git sync and subflow cycles', () => {
  it('SyncFlows rejects flows of one commit that call each other, in a dry run too, and saves none of them', async () => {
    const repo = newRepo({ 'flows/a.yml': callFlow('a', 'b'), 'flows/b.yml': callFlow('b', 'a'), 'flows/c.yml': logFlow('c') });
    const w = world();
    const dry = await failure(SyncFlows.run(syncFlows(repo, { dryRun: true }), w.context()));
    expect(dry.message).toContain('flows/a.yml: tasks[0].flowId: Recursive call to flow [company.team.a]: company.team.a -> company.team.b -> company.team.a');
    const real = await failure(SyncFlows.run(syncFlows(repo), w.context()));
    expect(real.message).toContain('nothing was applied');
    expect(real.message).toContain('company.team.b -> company.team.a -> company.team.b');
    expect(await w.flows.list({ namespace: NS })).toEqual([]);
  });

  it('SyncFlows with ignoreInvalidFlows skips the flows of the cycle and applies the rest', async () => {
    const repo = newRepo({ 'flows/a.yml': callFlow('a', 'b'), 'flows/b.yml': callFlow('b', 'a'), 'flows/c.yml': logFlow('c') });
    const w = world();
    const result = await SyncFlows.run(syncFlows(repo, { ignoreInvalidFlows: true }), w.context());
    expect((await rows(w, result.outputs?.flows)).map((r) => [r['flowId'], r['syncState']])).toEqual([['c', 'ADDED']]);
    expect((await w.flows.list({ namespace: NS })).map((f) => f.flow.id)).toEqual(['c']);
  });

  it('SyncFlows closing a cycle with a stored flow outside the synced namespace is rejected', async () => {
    const repo = newRepo({ 'flows/parent.yml': callFlow('parent', 'child').replace('namespace: company.team\n    flowId', 'namespace: company.other\n    flowId') });
    const w = world();
    await w.putFlow(callFlow('child', 'parent', 'company.other').replace('namespace: company.other\n    flowId', `namespace: ${NS}\n    flowId`));
    const e = await failure(SyncFlows.run(syncFlows(repo), w.context()));
    expect(e.message).toContain('company.team.parent -> company.other.child -> company.team.parent');
    expect(await w.flows.get(NS, 'parent')).toBeUndefined();
  });

  it('SyncFlows applies a commit that breaks a stored cycle path whatever the file order, deleting what left Git', async () => {
    // Stored: a -> b. The new commit drops a and makes b call a... which is gone: no cycle.
    const repo = newRepo({ 'flows/a.yml': callFlow('a', 'b'), 'flows/b.yml': logFlow('b') });
    const w = world();
    await SyncFlows.run(syncFlows(repo), w.context());
    server.commit(repo, { 'flows/a.yml': null, 'flows/b.yml': callFlow('b', 'a') });
    const result = await SyncFlows.run(syncFlows(repo), w.context());
    expect((await rows(w, result.outputs?.flows)).map((r) => [r['flowId'], r['syncState'], r['revision']])).toEqual([
      ['a', 'DELETED', 1],
      ['b', 'UPDATED', 2],
    ]);
    expect(await w.flows.get(NS, 'a')).toBeUndefined();
  });

  it('SyncFlow fails without saving, dry run or not, when the flow closes a cycle with a stored flow', async () => {
    const repo = newRepo({ 'flows/a.yml': callFlow('a', 'b') });
    const w = world();
    await w.putFlow(callFlow('b', 'a'));
    const props = { id: 'one', type: 'io.kestra.plugin.git.SyncFlow', ...conn(repo), targetNamespace: NS, flowPath: 'flows/a.yml' };
    for (const dryRun of [true, false]) {
      const e = await failure(SyncFlow.run({ ...props, dryRun }, w.context()));
      expect(e.message).toContain('flows/a.yml: tasks[0].flowId: Recursive call to flow [company.team.a]: company.team.a -> company.team.b -> company.team.a');
      expect((e as Error & { retryable?: boolean }).retryable).toBe(false);
    }
    expect(await w.flows.get(NS, 'a')).toBeUndefined();
  });

  it('NamespaceSync from Git rejects a cycle between its flows and writes nothing', async () => {
    const repo = newRepo({ [`${NS}/flows/a.yaml`]: callFlow('a', 'b'), [`${NS}/flows/b.yaml`]: callFlow('b', 'a') });
    const w = world();
    const e = await failure(NamespaceSync.run({ id: 'ns', type: 'io.kestra.plugin.git.NamespaceSync', ...conn(repo), namespace: NS, sourceOfTruth: 'GIT' }, w.context()));
    expect(e.message).toContain('nothing was applied');
    expect(e.message).toContain(`${NS}/flows/a.yaml: tasks[0].flowId: Recursive call to flow [company.team.a]`);
    expect(await w.flows.list({ namespace: NS })).toEqual([]);
  });
});
