import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metric, RunContext, TaskDefinition, TaskFlows, TaskLogger } from '@windhover/core';
import { FsInternalStorage, FsNamespaceFileStore, SqliteKvStore, openSqliteDatabase } from '@windhover/local';
import { KvService, NamespaceFileService } from '@windhover/runtime';
import { DeleteFiles, DownloadFiles, KvDelete, KvGet, KvGetKeys, KvSet, UploadFiles } from '@windhover/tasks';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './namespace-harness';

const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
const bytes = (s: string) => new TextEncoder().encode(s);

/**
 * A RunContext over the real local adapters and the runtime services (the
 * same validation the API applies), with a hand-moved clock. Properties are
 * passed already rendered, so `render` returns them as they are.
 */
function world(options: { workingDir?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'wh-ns-tasks-'));
  const db = openSqliteDatabase(':memory:');
  const clock = new ManualClock(new Date('2026-01-01T00:00:00.000Z'));
  const kv = new KvService(new SqliteKvStore(db), clock);
  const files = new NamespaceFileService(new FsNamespaceFileStore(db, join(dir, 'nsfiles')), clock);
  const storage = new FsInternalStorage(join(dir, 'storage'));
  const lines: string[] = [];
  const logger: TaskLogger = {
    log: (level, m) => lines.push(`${level} ${m}`),
    trace: (m) => lines.push(`TRACE ${m}`),
    debug: (m) => lines.push(`DEBUG ${m}`),
    info: (m) => lines.push(`INFO ${m}`),
    warn: (m) => lines.push(`WARN ${m}`),
    error: (m) => lines.push(`ERROR ${m}`),
  };
  let n = 0;
  const ctx = (namespace = 'company.team'): RunContext => ({
    tenantId: 'main',
    namespace,
    flowId: 'flow',
    executionId: 'exec1',
    taskRunId: `tr${++n}`,
    taskId: 'task',
    attempt: 1,
    variables: {},
    render: async (v) => v,
    renderString: async (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
    logger,
    signal: new AbortController().signal,
    storage: {
      putFile: async (name, data) => {
        const uri = `kestra:///company/team/flow/executions/exec1/tasks/task/tr${n}/${name}`;
        await storage.put(uri, data);
        return uri;
      },
      getFile: (uri) => storage.get(uri),
      exists: (uri) => storage.exists(uri),
      size: (uri) => storage.size(uri),
      delete: (uri) => storage.delete(uri),
    },
    kv: kv.forTasks('main', namespace),
    namespaceFiles: files.forTasks('main'),
    flows: {} as TaskFlows,
    secret: async () => {
      throw new Error('no secrets here');
    },
    metric: (_m: Metric) => {},
    now: () => clock.now(),
    ...(options.workingDir ? { workingDir: options.workingDir } : {}),
  });
  return { ctx, kv, files, storage, clock, lines };
}

const task = (type: string, props: Record<string, unknown>): TaskDefinition => ({ id: 'task', type, ...props }) as TaskDefinition;
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return { message: (e as Error).message, retryable: (e as { retryable?: boolean }).retryable };
  }
  throw new Error('expected the task to fail');
};

describe('kv tasks', () => {
  it('sets typed values, gets them and lists keys by prefix', async () => {
    const w = world();
    await KvSet.run(task('io.kestra.plugin.core.kv.Set', { key: 'n', value: '41', kvType: 'NUMBER' }), w.ctx());
    await KvSet.run(task('io.kestra.plugin.core.kv.Set', { key: 'doc', value: '{"a":1}', kvType: 'JSON' }), w.ctx());
    await KvSet.run(task('io.kestra.plugin.core.kv.Set', { key: 'raw', value: '{"a":1}' }), w.ctx());
    await KvSet.run(task('io.kestra.plugin.core.kv.Set', { key: 'd', value: 'P1D', kvType: 'DURATION' }), w.ctx());
    await KvSet.run(task('io.kestra.plugin.core.kv.Set', { key: 'other', value: 'x', namespace: 'company' }), w.ctx());
    expect(await w.kv.get('main', 'company.team', 'n')).toMatchObject({ type: 'NUMBER', value: 41 });
    expect(await w.kv.get('main', 'company.team', 'doc')).toMatchObject({ type: 'JSON', value: { a: 1 } });
    expect(await w.kv.get('main', 'company.team', 'raw')).toMatchObject({ type: 'STRING', value: '{"a":1}' });
    expect(await w.kv.get('main', 'company.team', 'd')).toMatchObject({ type: 'DURATION', value: 'PT24H' });
    expect(await w.kv.get('main', 'company', 'other')).toMatchObject({ value: 'x' });
    expect((await KvGet.run(task('io.kestra.plugin.core.kv.Get', { key: 'doc' }), w.ctx())).outputs).toEqual({ value: { a: 1 } });
    expect((await KvGetKeys.run(task('io.kestra.plugin.core.kv.GetKeys', { prefix: 'd' }), w.ctx())).outputs).toEqual({ keys: ['d', 'doc'] });
    expect((await KvGetKeys.run(task('io.kestra.plugin.core.kv.GetKeys', { prefix: 'zzz' }), w.ctx())).outputs).toEqual({ keys: [] });
  });

  it('expires a value set with ttl at the exact instant, for Get, GetKeys and kv lookups', async () => {
    const w = world();
    await KvSet.run(task('io.kestra.plugin.core.kv.Set', { key: 'session', value: 'abc', ttl: 'PT10M' }), w.ctx());
    w.clock.advance(10 * 60_000 - 1);
    expect((await KvGet.run(task('io.kestra.plugin.core.kv.Get', { key: 'session' }), w.ctx())).outputs).toEqual({ value: 'abc' });
    w.clock.advance(1);
    expect((await KvGet.run(task('io.kestra.plugin.core.kv.Get', { key: 'session' }), w.ctx())).outputs).toEqual({ value: null });
    expect((await KvGetKeys.run(task('io.kestra.plugin.core.kv.GetKeys', {}), w.ctx())).outputs).toEqual({ keys: [] });
    expect(await w.kv.lookup('main', 'company.team', 'session')).toBeUndefined();
    const f = await failure(KvGet.run(task('io.kestra.plugin.core.kv.Get', { key: 'session', errorOnMissing: true }), w.ctx()));
    expect(f.message).toContain("key 'session' in namespace 'company.team'");
    expect(f.retryable).toBe(false);
  });

  it('refuses to overwrite with overwrite: false unless the old value has expired', async () => {
    const w = world();
    await KvSet.run(task('io.kestra.plugin.core.kv.Set', { key: 'k', value: 'first', ttl: 'PT1M' }), w.ctx());
    const f = await failure(KvSet.run(task('io.kestra.plugin.core.kv.Set', { key: 'k', value: 'second', overwrite: false }), w.ctx()));
    expect(f.message).toContain("key 'k'");
    expect((await w.kv.get('main', 'company.team', 'k')).value).toBe('first');
    w.clock.advance(60_000);
    await KvSet.run(task('io.kestra.plugin.core.kv.Set', { key: 'k', value: 'second', overwrite: false }), w.ctx());
    expect((await w.kv.get('main', 'company.team', 'k')).value).toBe('second');
  });

  it('deletes a key and reports whether it existed', async () => {
    const w = world();
    await KvSet.run(task('io.kestra.plugin.core.kv.Set', { key: 'k', value: 'v' }), w.ctx());
    expect((await KvDelete.run(task('io.kestra.plugin.core.kv.Delete', { key: 'k' }), w.ctx())).outputs).toEqual({ deleted: true });
    expect((await KvDelete.run(task('io.kestra.plugin.core.kv.Delete', { key: 'k' }), w.ctx())).outputs).toEqual({ deleted: false });
    const f = await failure(KvDelete.run(task('io.kestra.plugin.core.kv.Delete', { key: 'k', errorOnMissing: true }), w.ctx()));
    expect(f.message).toContain("key 'k'");
  });

  it('fails without retry on an invalid key, type, value or ttl', async () => {
    const w = world();
    const cases: Record<string, unknown>[] = [
      { key: 'bad key', value: 'v' },
      { key: 'k', value: 'v', namespace: 'a..b' },
      { key: 'k', value: 'abc', kvType: 'NUMBER' },
      { key: 'k', value: 'v', kvType: 'BLOB' },
      { key: 'k', value: 'v', ttl: 'tomorrow' },
      { key: 'k', value: 'v', ttl: 'PT0S' },
    ];
    for (const props of cases) {
      const f = await failure(KvSet.run(task('io.kestra.plugin.core.kv.Set', props), w.ctx()));
      expect(f.retryable).toBe(false);
    }
    expect(await w.kv.list('main')).toEqual([]);
  });
});

describe('namespace tasks', () => {
  it('uploads working-directory files matching globs, skipping symbolic links that point outside', async () => {
    const wd = mkdtempSync(join(tmpdir(), 'wh-wd-'));
    mkdirSync(join(wd, 'dbt/models'), { recursive: true });
    writeFileSync(join(wd, 'dbt/models/a.sql'), 'select 1');
    writeFileSync(join(wd, 'dbt/dbt_project.yml'), 'name: x');
    writeFileSync(join(wd, 'notes.txt'), 'not uploaded');
    const outside = join(mkdtempSync(join(tmpdir(), 'wh-outside-')), 'secret.txt');
    writeFileSync(outside, 'host secret');
    symlinkSync(outside, join(wd, 'dbt/link.sql'));
    const w = world({ workingDir: wd });
    const r = await UploadFiles.run(
      task('io.kestra.plugin.core.namespace.UploadFiles', { namespace: 'company.team', files: ['glob:**/dbt/**'], destination: '/projects' }),
      w.ctx(),
    );
    expect(r.metrics).toEqual([{ name: 'uploaded', type: 'counter', value: 2 }]);
    const paths = (await w.files.listFiles('main', 'company.team')).map((m) => m.path);
    expect(paths).toEqual(['/projects/dbt/dbt_project.yml', '/projects/dbt/models/a.sql']);
  });

  it('uploads filesMap URIs with OVERWRITE, SKIP and ERROR conflicts', async () => {
    const w = world();
    const c = w.ctx();
    const uri = await c.storage.putFile('v1.txt', bytes('one'));
    const uri2 = await c.storage.putFile('v2.txt', bytes('two'));
    const up = (conflict: string, from: string) =>
      UploadFiles.run(task('io.kestra.plugin.core.namespace.UploadFiles', { namespace: 'company.team', filesMap: { 'cfg/app.txt': from }, conflict }), w.ctx());
    await up('OVERWRITE', uri);
    await up('SKIP', uri2);
    expect(text(await w.files.get('main', 'company.team', '/cfg/app.txt'))).toBe('one');
    const f = await failure(up('ERROR', uri2));
    expect(f.message).toContain("'/cfg/app.txt' already exists");
    await up('OVERWRITE', uri2);
    expect(text(await w.files.get('main', 'company.team', '/cfg/app.txt'))).toBe('two');
    expect(await w.files.revisions('main', 'company.team', '/cfg/app.txt')).toEqual([{ revision: 1 }, { revision: 2 }]);
  });

  it('refuses escaping destinations and writes nothing', async () => {
    const w = world();
    const c = w.ctx();
    const uri = await c.storage.putFile('x.txt', bytes('x'));
    for (const props of [
      { namespace: 'company.team', filesMap: { '../../etc/x': uri } },
      { namespace: 'company.team', filesMap: { ok: uri }, destination: '/a/../../b' },
      { namespace: 'company.team', filesMap: { 'a%2f..%2fb': uri } },
      { namespace: '../other', filesMap: { ok: uri } },
    ]) {
      const f = await failure(UploadFiles.run(task('io.kestra.plugin.core.namespace.UploadFiles', props), w.ctx()));
      expect(f.retryable).toBe(false);
    }
    expect(await w.files.listFiles('main', 'company.team')).toEqual([]);
  });

  it('downloads matching namespace files to internal storage, keyed by their namespace path', async () => {
    const w = world();
    await w.files.put('main', 'company.team', '/example.ion', bytes('{a:1}'));
    await w.files.put('main', 'company.team', '/a/q.sql', bytes('select a'));
    await w.files.put('main', 'company.team', '/b/q.sql', bytes('select b'));
    await w.files.put('main', 'company.team', '/b/skip.txt', bytes('no'));
    const r = await DownloadFiles.run(
      task('io.kestra.plugin.core.namespace.DownloadFiles', { namespace: 'company.team', files: ['*.sql', '/example.ion'] }),
      w.ctx(),
    );
    const files = r.outputs?.['files'] as Record<string, string>;
    expect(Object.keys(files).sort()).toEqual(['/a/q.sql', '/b/q.sql', '/example.ion']);
    expect(text(await w.storage.get(files['/a/q.sql']))).toBe('select a');
    expect(text(await w.storage.get(files['/b/q.sql']))).toBe('select b');
    expect(files['/a/q.sql']).not.toBe(files['/b/q.sql']);
  });

  it('deletes matching files, keeps their revisions, and removes emptied folders on request', async () => {
    const w = world();
    await w.files.put('main', 'company.team', '/old/x.log', bytes('x'));
    await w.files.put('main', 'company.team', '/old/deep/y.log', bytes('y'));
    await w.files.put('main', 'company.team', '/keep/z.txt', bytes('z'));
    const r = await DeleteFiles.run(
      task('io.kestra.plugin.core.namespace.DeleteFiles', { namespace: 'company.team', files: ['*.log'], deleteParentFolder: true }),
      w.ctx(),
    );
    expect(r.metrics).toEqual([{ name: 'deleted', type: 'counter', value: 2 }]);
    expect((await w.files.listDirectory('main', 'company.team')).map((f) => f.fileName)).toEqual(['keep']);
    expect(text(await w.files.get('main', 'company.team', '/old/x.log', 1))).toBe('x');
  });
});
