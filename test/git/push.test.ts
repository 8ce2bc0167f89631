import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'ion-js';
import { PushFlows, PushNamespaceFiles } from '@windhover/tasks';
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

const flow = (id: string, ns: string, msg = 'hello') =>
  `id: ${id}\nnamespace: ${ns}\n\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${msg}\n`;

let n = 0;
function newRepo(files: Record<string, string> = {}): string {
  const name = `push-${++n}`;
  server.createRepo(name);
  if (Object.keys(files).length > 0) server.commit(name, files);
  return name;
}

function world(): TaskWorld {
  return createTaskWorld({ secrets: { GIT_TOKEN: server.password } });
}

const conn = (repo: string) => ({ url: server.url(repo), username: server.username, password: "{{ secret('GIT_TOKEN') }}" });

async function rows(w: TaskWorld, uri: unknown): Promise<Record<string, unknown>[]> {
  return JSON.parse(JSON.stringify(loadAll(await w.readIon(String(uri)))));
}

describe('PushFlows', () => {
  it('commits the flows of a namespace with the author, into an empty repository, and outputs the commit', async () => {
    const repo = newRepo();
    const w = world();
    await w.putFlow(flow('hello', 'dev'));
    await w.putFlow(`revision: 7\n${flow('bye', 'dev')}`);
    await w.putFlow(flow('other', 'devops'));
    const result = await PushFlows.run(
      { id: 'push', type: 'io.kestra.plugin.git.PushFlows', ...conn(repo), sourceNamespace: 'dev', authorName: 'Ada', authorEmail: 'ada@example.com', commitMessage: 'backup' },
      w.context(),
    );
    const check = server.cloneForCheck(repo);
    expect(git(['log', '--format=%an <%ae>|%s'], check)).toBe('Ada <ada@example.com>|backup');
    expect(git(['ls-tree', '-r', '--name-only', 'HEAD'], check).split('\n')).toEqual(['_flows/bye.yml', '_flows/hello.yml']);
    expect(readFileSync(join(check, '_flows/bye.yml'), 'utf8')).not.toContain('revision:');
    const commitId = git(['rev-parse', 'HEAD'], check);
    expect(result.outputs?.commitId).toBe(commitId);
    expect(result.outputs?.commitURL).toBe(`${server.url(repo).slice(0, -4)}/commit/${commitId}`);
    expect(await rows(w, result.outputs?.flows)).toEqual([
      { file: '_flows/bye.yml', additions: '+7', deletions: '-0', changes: '7' },
      { file: '_flows/hello.yml', additions: '+7', deletions: '-0', changes: '7' },
    ]);
  });

  it('makes no commit when nothing changed and says so', async () => {
    const repo = newRepo();
    const w = world();
    await w.putFlow(flow('hello', 'dev'));
    const task = { id: 'push', type: 'io.kestra.plugin.git.PushFlows', ...conn(repo), sourceNamespace: 'dev' };
    await PushFlows.run(task, w.context());
    const second = await PushFlows.run(task, w.context());
    expect(second.outputs?.commitId).toBeNull();
    expect(git(['rev-list', '--count', 'main'], server.cloneForCheck(repo))).toBe('1');
    expect((await w.logs()).some((l) => l.message === 'No changes to commit. Skipping push.')).toBe(true);
  });

  it('rewrites the namespace to targetNamespace, maps child namespaces to folders and filters by glob', async () => {
    const repo = newRepo();
    const w = world();
    await w.putFlow(flow('hello_world', 'dev'));
    await w.putFlow(flow('hello_world_1', 'dev.tutorial'));
    await w.putFlow(flow('skip_me', 'dev'));
    await PushFlows.run(
      { id: 'push', type: 'io.kestra.plugin.git.PushFlows', ...conn(repo), sourceNamespace: 'dev', targetNamespace: 'prod', includeChildNamespaces: true, flows: ['hello*'], gitDirectory: 'flows' },
      w.context(),
    );
    const check = server.cloneForCheck(repo);
    expect(git(['ls-tree', '-r', '--name-only', 'HEAD'], check).split('\n')).toEqual(['flows/hello_world.yml', 'flows/tutorial/hello_world_1.yml']);
    expect(readFileSync(join(check, 'flows/tutorial/hello_world_1.yml'), 'utf8')).toContain('namespace: prod.tutorial');
  });

  it('prunes removed flows but keeps READMEs and child-namespace folders', async () => {
    const repo = newRepo({ '_flows/gone.yml': flow('gone', 'dev'), '_flows/README.md': '# docs', '_flows/team/child.yml': flow('child', 'dev.team') });
    const w = world();
    await w.putFlow(flow('hello', 'dev'));
    const result = await PushFlows.run({ id: 'push', type: 'io.kestra.plugin.git.PushFlows', ...conn(repo), sourceNamespace: 'dev' }, w.context());
    const check = server.cloneForCheck(repo);
    expect(git(['ls-tree', '-r', '--name-only', 'HEAD'], check).split('\n')).toEqual(['_flows/README.md', '_flows/hello.yml', '_flows/team/child.yml']);
    expect((await rows(w, result.outputs?.flows)).find((r) => r.file === '_flows/gone.yml')).toMatchObject({ additions: '+0', deletions: '-7' });
  });

  it('keeps everything with delete: false', async () => {
    const repo = newRepo({ '_flows/gone.yml': flow('gone', 'dev') });
    const w = world();
    await w.putFlow(flow('hello', 'dev'));
    await PushFlows.run({ id: 'push', type: 'io.kestra.plugin.git.PushFlows', ...conn(repo), sourceNamespace: 'dev', delete: false }, w.context());
    expect(git(['ls-tree', '-r', '--name-only', 'HEAD'], server.cloneForCheck(repo)).split('\n')).toEqual(['_flows/gone.yml', '_flows/hello.yml']);
  });

  it('creates a missing branch from the default branch', async () => {
    const repo = newRepo({ 'README.md': 'root' });
    const w = world();
    await w.putFlow(flow('hello', 'dev'));
    await PushFlows.run({ id: 'push', type: 'io.kestra.plugin.git.PushFlows', ...conn(repo), sourceNamespace: 'dev', branch: 'feature/x' }, w.context());
    const check = server.cloneForCheck(repo, 'feature/x');
    expect(git(['ls-tree', '-r', '--name-only', 'HEAD'], check).split('\n')).toEqual(['README.md', '_flows/hello.yml']);
    expect(git(['rev-list', '--count', 'HEAD'], check)).toBe('2');
    expect(git(['rev-list', '--count', 'main'], server.cloneForCheck(repo))).toBe('1');
  });

  it('dry run reports the diff and pushes nothing', async () => {
    const repo = newRepo({ 'README.md': 'root' });
    const w = world();
    await w.putFlow(flow('hello', 'dev'));
    const result = await PushFlows.run({ id: 'push', type: 'io.kestra.plugin.git.PushFlows', ...conn(repo), sourceNamespace: 'dev', dryRun: true }, w.context());
    expect(result.outputs?.commitId).toBeNull();
    expect(await rows(w, result.outputs?.flows)).toEqual([{ file: '_flows/hello.yml', additions: '+7', deletions: '-0', changes: '7' }]);
    expect(git(['rev-list', '--count', 'main'], server.cloneForCheck(repo))).toBe('1');
  });

  it('lands ten concurrent pushes to one branch as ten commits, losing none', async () => {
    const repo = newRepo({ 'README.md': 'root' });
    const w = world();
    for (let i = 0; i < 10; i++) await w.putFlow(flow(`f${i}`, `ns${i}`));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        PushFlows.run({ id: 'push', type: 'io.kestra.plugin.git.PushFlows', ...conn(repo), sourceNamespace: `ns${i}`, gitDirectory: `flows/ns${i}` }, w.context()),
      ),
    );
    const check = server.cloneForCheck(repo);
    expect(git(['rev-list', '--count', 'main'], check)).toBe('11');
    expect(git(['ls-tree', '-r', '--name-only', 'HEAD'], check).split('\n')).toHaveLength(11);
    const commits = new Set(results.map((r) => r.outputs?.commitId));
    expect(commits.size).toBe(10);
    for (const c of commits) expect(git(['cat-file', '-t', String(c)], check)).toBe('commit');
  }, 120_000);
});

describe('PushNamespaceFiles', () => {
  it('pushes text and binary namespace files byte for byte, filtered by glob', async () => {
    const repo = newRepo();
    const w = world();
    const binary = new Uint8Array(Array.from({ length: 256 }, (_, i) => i));
    await w.namespaceFiles.put('dev', '/scripts/etl.py', new TextEncoder().encode('print(1)\n'));
    await w.namespaceFiles.put('dev', '/data/blob.bin', binary);
    await w.namespaceFiles.put('dev', '/notes.txt', new TextEncoder().encode('skip'));
    const result = await PushNamespaceFiles.run(
      { id: 'push', type: 'io.kestra.plugin.git.PushNamespaceFiles', ...conn(repo), namespace: 'dev', files: ['*.py', '*.bin'], gitDirectory: 'scripts/dev' },
      w.context(),
    );
    const check = server.cloneForCheck(repo);
    expect(git(['ls-tree', '-r', '--name-only', 'HEAD'], check).split('\n')).toEqual(['scripts/dev/data/blob.bin', 'scripts/dev/scripts/etl.py']);
    expect(new Uint8Array(readFileSync(join(check, 'scripts/dev/data/blob.bin')))).toEqual(binary);
    expect(git(['log', '-1', '--format=%s'], check)).toBe('Add files from dev namespace');
    expect((await rows(w, result.outputs?.files)).map((r) => r.file)).toEqual(['scripts/dev/data/blob.bin', 'scripts/dev/scripts/etl.py']);
  });

  it('deletes files removed from the namespace and fails on no match with errorOnMissing', async () => {
    const repo = newRepo({ '_files/old.sql': 'select 1', '_files/keep.sql': 'select 2' });
    const w = world();
    await w.namespaceFiles.put('dev', '/keep.sql', new TextEncoder().encode('select 2'));
    await PushNamespaceFiles.run({ id: 'push', type: 'io.kestra.plugin.git.PushNamespaceFiles', ...conn(repo), namespace: 'dev' }, w.context());
    const check = server.cloneForCheck(repo);
    expect(existsSync(join(check, '_files/old.sql'))).toBe(false);
    expect(existsSync(join(check, '_files/keep.sql'))).toBe(true);
    await expect(
      PushNamespaceFiles.run({ id: 'push', type: 'io.kestra.plugin.git.PushNamespaceFiles', ...conn(repo), namespace: 'dev', files: '*.nothing', errorOnMissing: true }, w.context()),
    ).rejects.toThrow(/No namespace file of 'dev' matches/);
  });
});
