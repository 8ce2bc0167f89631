import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Execution, RunContext, TaskRun } from '@windhover/core';
import { SecretMasker } from '@windhover/core';
import { FsNamespaceFileStore, SqliteKvStore, openSqliteDatabase } from '@windhover/local';
import { BufferedTaskLogger, createRunContext, type RuntimePorts } from '@windhover/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineWorld, startEngineWorld } from '../engine/engine-world';

/**
 * The RunContext the engine gives a task (createRunContext) over the real
 * local stores: ctx.kv and ctx.namespaceFiles go through KvService and
 * NamespaceFileService, so tasks get the API's validation, typing and the
 * store's atomic `overwrite: false`.
 */
describe('RunContext kv and namespaceFiles', () => {
  let world: EngineWorld;
  let ports: RuntimePorts;

  beforeAll(() => {
    world = startEngineWorld();
    const dir = mkdtempSync(join(tmpdir(), 'wh-run-ctx-'));
    const db = openSqliteDatabase(join(dir, 'stores.db'));
    ports = { ...world.ports, kv: new SqliteKvStore(db), namespaceFiles: new FsNamespaceFileStore(db, join(dir, 'nsfiles')) };
  });
  afterAll(async () => {
    await world?.close();
  });

  let n = 0;
  function context(): RunContext {
    const id = `exec${++n}`;
    const execution = { tenantId: 'main', id, namespace: 'company.team', flowId: 'flow', taskRunList: [] } as unknown as Execution;
    const run = { id: `tr${n}`, executionId: id, namespace: 'company.team', flowId: 'flow', taskId: 'task' } as unknown as TaskRun;
    const masker = new SecretMasker();
    return createRunContext({
      ports,
      execution,
      run,
      attempt: 1,
      variables: {},
      logger: new BufferedTaskLogger({ tenantId: 'main', run, attempt: 1 }, masker, () => new Date()),
      masker,
      signal: new AbortController().signal,
      metrics: [],
    });
  }

  it('lets exactly one of two concurrent overwrite:false writes of a key win', async () => {
    const results = await Promise.allSettled([
      context().kv.set('lock', 'first', { overwrite: false }),
      context().kv.set('lock', 'second', { overwrite: false }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(String(rejected.reason)).toContain('already exists');
    const winner = results[0].status === 'fulfilled' ? 'first' : 'second';
    expect((await context().kv.get('lock'))?.value).toBe(winner);
  });

  it('converts a value to the requested KV type', async () => {
    const ctx = context();
    await ctx.kv.set('answer', '42', { type: 'NUMBER' });
    const entry = await ctx.kv.get('answer');
    expect(entry?.type).toBe('NUMBER');
    expect(entry?.value).toBe(42);
    await expect(ctx.kv.set('broken', 'not a number', { type: 'NUMBER' })).rejects.toThrow(/NUMBER/);
    expect(await ctx.kv.get('broken')).toBeUndefined();
  });

  it('refuses KV keys the API refuses', async () => {
    await expect(context().kv.set('has space/and slash', 'x')).rejects.toThrow(/Invalid KV key/);
  });

  it('normalizes namespace-file paths and refuses escapes and the _flows folder', async () => {
    const ctx = context();
    await ctx.namespaceFiles.put('company.team', 'scripts//run.py', new TextEncoder().encode('print(1)'));
    expect(new TextDecoder().decode(await ctx.namespaceFiles.get('company.team', '/scripts/run.py'))).toBe('print(1)');
    await expect(ctx.namespaceFiles.put('company.team', '/../../etc/passwd', new Uint8Array([1]))).rejects.toThrow();
    await expect(ctx.namespaceFiles.put('company.team', '/_flows/f.yml', new Uint8Array([1]))).rejects.toThrow(/reserved/);
    expect((await ctx.namespaceFiles.list('company.team')).map((m) => m.path)).not.toContain('/_flows/f.yml');
  });
});
