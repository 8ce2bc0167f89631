import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'ion-js';
import { Clone, SyncFlow, SyncNamespaceFiles } from '@windhover/tasks';
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

let n = 0;
function newRepo(files: Record<string, string | Uint8Array> = {}): string {
  const name = `files-${++n}`;
  server.createRepo(name);
  if (Object.keys(files).length > 0) server.commit(name, files);
  return name;
}
const world = (): TaskWorld => createTaskWorld({ secrets: { GIT_TOKEN: server.password } });
const conn = (repo: string) => ({ url: server.url(repo), username: server.username, password: "{{ secret('GIT_TOKEN') }}" });
async function rows(w: TaskWorld, uri: unknown): Promise<Record<string, unknown>[]> {
  return JSON.parse(JSON.stringify(loadAll(await w.readIon(String(uri)))));
}
const text = (s: string) => new TextEncoder().encode(s);

describe('SyncNamespaceFiles', () => {
  it('maps <gitDirectory>/a/b to /a/b, byte for byte including binary files, with ION rows', async () => {
    const binary = new Uint8Array([0, 1, 2, 255, 0, 7]);
    const repo = newRepo({ '_files/scripts/etl.py': 'print(1)\n', '_files/data/x.bin': binary, 'flows/f.yml': 'no' });
    const w = world();
    const result = await SyncNamespaceFiles.run({ id: 's', type: 'io.kestra.plugin.git.SyncNamespaceFiles', ...conn(repo), namespace: 'prod' }, w.context());
    expect(new TextDecoder().decode(await w.namespaceFiles.get('prod', '/scripts/etl.py'))).toBe('print(1)\n');
    expect(await w.namespaceFiles.get('prod', '/data/x.bin')).toEqual(binary);
    expect(await rows(w, result.outputs?.files)).toEqual([
      { gitPath: '_files/data/x.bin', syncState: 'ADDED', kestraPath: '/data/x.bin' },
      { gitPath: '_files/scripts/etl.py', syncState: 'ADDED', kestraPath: '/scripts/etl.py' },
    ]);
  });

  it('does not rewrite identical files and reports OVERWRITTEN for changed ones', async () => {
    const repo = newRepo({ '_files/a.sql': 'select 1', '_files/b.sql': 'select 2' });
    const w = world();
    await w.namespaceFiles.put('prod', '/a.sql', text('select 1'));
    await w.namespaceFiles.put('prod', '/b.sql', text('select 0'));
    const before = await w.namespaceFiles.list('prod');
    expect(before.map((m) => [m.path, m.revision])).toEqual([
      ['/a.sql', 1],
      ['/b.sql', 1],
    ]);
    const result = await SyncNamespaceFiles.run({ id: 's', type: 'io.kestra.plugin.git.SyncNamespaceFiles', ...conn(repo), namespace: 'prod' }, w.context());
    // The identical file keeps its revision and timestamp; only the changed one gets a new revision.
    const after = await w.namespaceFiles.list('prod');
    expect(after.map((m) => [m.path, m.revision])).toEqual([
      ['/a.sql', 1],
      ['/b.sql', 2],
    ]);
    expect(after[0]).toEqual(before[0]);
    expect((await rows(w, result.outputs?.files)).map((r) => r.syncState)).toEqual(['UNCHANGED', 'OVERWRITTEN']);
  });

  it('deletes files missing from Git only with delete: true, dry run first, and honours .kestraignore', async () => {
    const repo = newRepo({ '_files/keep.py': 'x', '_files/notes.md': 'ignored', '_files/.kestraignore': '*.md\n' });
    const w = world();
    await w.namespaceFiles.put('prod', '/old.py', text('old'));
    const dry = await SyncNamespaceFiles.run({ id: 's', type: 'io.kestra.plugin.git.SyncNamespaceFiles', ...conn(repo), namespace: 'prod', delete: true, dryRun: true }, w.context());
    expect(await w.namespaceFiles.get('prod', '/old.py')).toBeDefined();
    expect(await w.namespaceFiles.get('prod', '/keep.py')).toBeUndefined();
    expect(await rows(w, dry.outputs?.files)).toEqual([
      { syncState: 'DELETED', kestraPath: '/old.py' },
      { gitPath: '_files/keep.py', syncState: 'ADDED', kestraPath: '/keep.py' },
    ]);
    await SyncNamespaceFiles.run({ id: 's', type: 'io.kestra.plugin.git.SyncNamespaceFiles', ...conn(repo), namespace: 'prod', delete: true }, w.context());
    expect(await w.namespaceFiles.get('prod', '/old.py')).toBeUndefined();
    expect(await w.namespaceFiles.get('prod', '/notes.md')).toBeUndefined();
    expect(await w.namespaceFiles.get('prod', '/keep.py')).toBeDefined();
  });

  it('refuses to prune every file when the directory came back empty', async () => {
    const repo = newRepo({ 'elsewhere/x': 'x' });
    const w = world();
    await w.namespaceFiles.put('prod', '/precious.py', text('x'));
    await expect(
      SyncNamespaceFiles.run({ id: 's', type: 'io.kestra.plugin.git.SyncNamespaceFiles', ...conn(repo), namespace: 'prod', delete: true, failOnMissingDirectory: false }, w.context()),
    ).rejects.toThrow(/Refusing to delete all 1 namespace file/);
    expect(await w.namespaceFiles.get('prod', '/precious.py')).toBeDefined();
  });

  it('defaults the namespace to the flow namespace and makes no writes when nothing moved', async () => {
    const repo = newRepo({ '_files/a.py': 'a' });
    const w = world();
    await SyncNamespaceFiles.run({ id: 's', type: 'io.kestra.plugin.git.SyncNamespaceFiles', ...conn(repo) }, w.context({ namespace: 'team' }));
    expect(await w.namespaceFiles.get('team', '/a.py')).toBeDefined();
    const before = server.requests.length;
    const files = await w.namespaceFiles.list('team');
    await SyncNamespaceFiles.run({ id: 's', type: 'io.kestra.plugin.git.SyncNamespaceFiles', ...conn(repo) }, w.context({ namespace: 'team' }));
    expect(server.requests.length - before).toBe(1);
    expect(await w.namespaceFiles.list('team')).toEqual(files);
  });
});

describe('SyncFlow', () => {
  it('syncs one file into the target namespace and reports the revision', async () => {
    const repo = newRepo({ 'flows/one.yml': 'id: one\nnamespace: dev\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n' });
    const w = world();
    const task = { id: 's', type: 'io.kestra.plugin.git.SyncFlow', ...conn(repo), targetNamespace: 'prod', flowPath: 'flows/one.yml' };
    expect((await SyncFlow.run({ ...task, dryRun: true }, w.context())).outputs).toMatchObject({ flowId: 'one', namespace: 'prod', revision: 1 });
    expect(await w.flows.get('prod', 'one')).toBeUndefined();
    expect((await SyncFlow.run(task, w.context())).outputs).toMatchObject({ flowId: 'one', namespace: 'prod', revision: 1 });
    expect((await SyncFlow.run(task, w.context())).outputs).toMatchObject({ revision: 1 });
    expect((await w.revisions('prod', 'one')).length).toBe(1);
  });

  it('fails on a missing file and on an invalid flow with its line', async () => {
    const repo = newRepo({ 'flows/bad.yml': 'id: bad\nnamespace: dev\ntasks:\n  - id: l\n    type: nope\n' });
    const w = world();
    await expect(SyncFlow.run({ id: 's', type: 'io.kestra.plugin.git.SyncFlow', ...conn(repo), targetNamespace: 'prod', flowPath: 'flows/none.yml' }, w.context())).rejects.toThrow(
      /'flows\/none.yml' was not found/,
    );
    await expect(SyncFlow.run({ id: 's', type: 'io.kestra.plugin.git.SyncFlow', ...conn(repo), targetNamespace: 'prod', flowPath: 'flows/bad.yml' }, w.context())).rejects.toThrow(
      /flows\/bad.yml:5: tasks\[0\]\.type: unknown task type `nope`/,
    );
  });
});

describe('Clone', () => {
  it('clones shallow and single-branch into the working directory so later tasks see the files', async () => {
    const repo = newRepo({ 'etl.py': 'print(1)' });
    server.commit(repo, { 'etl.py': 'print(2)' });
    server.commit(repo, { 'other.txt': 'x' }, { branch: 'dev' });
    const workingDir = mkdtempSync(join(tmpdir(), 'wd-'));
    const ctx = { ...world().context(), workingDir };
    const result = await Clone.run({ id: 'c', type: 'io.kestra.plugin.git.Clone', ...conn(repo), directory: 'repo' }, ctx);
    expect(result.outputs?.directory).toBe(join(workingDir, 'repo'));
    expect(readFileSync(join(workingDir, 'repo/etl.py'), 'utf8')).toBe('print(2)');
    expect(git(['rev-list', '--count', 'HEAD'], join(workingDir, 'repo'))).toBe('1');
    expect(git(['branch', '-r'], join(workingDir, 'repo'))).not.toContain('dev');
    rmSync(workingDir, { recursive: true, force: true });
  });

  it('checks out a branch, a tag or a commit (full history, detached)', async () => {
    const repo = newRepo({ 'v.txt': 'one' });
    const first = git(['rev-parse', 'main'], `${server.root}/${repo}.git`);
    server.commit(repo, { 'v.txt': 'two' });
    server.commit(repo, { 'v.txt': 'dev' }, { branch: 'dev' });
    git(['tag', 'v1', first], `${server.root}/${repo}.git`);
    const w = world();
    const dirs: string[] = [];
    const clone = async (props: Record<string, unknown>) => {
      const out = await Clone.run({ id: 'c', type: 'io.kestra.plugin.git.Clone', ...conn(repo), ...props }, w.context());
      dirs.push(String(out.outputs?.directory));
      return String(out.outputs?.directory);
    };
    expect(readFileSync(join(await clone({ branch: 'dev' }), 'v.txt'), 'utf8')).toBe('dev');
    expect(readFileSync(join(await clone({ tag: 'v1' }), 'v.txt'), 'utf8')).toBe('one');
    const byCommit = await clone({ commit: first.slice(0, 10) });
    expect(readFileSync(join(byCommit, 'v.txt'), 'utf8')).toBe('one');
    expect(git(['rev-parse', 'HEAD'], byCommit)).toBe(first);
    expect(existsSync(join(byCommit, '.git'))).toBe(true);
    await expect(clone({ branch: 'nope' })).rejects.toThrow(/Branch 'nope' does not exist/);
    // Outside a WorkingDirectory each clone gets its own temporary folder.
    expect(new Set(dirs).size).toBe(dirs.length);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
});
