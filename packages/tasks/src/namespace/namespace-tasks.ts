import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonValue, RunContext, RunnableTaskPlugin, TaskDefinition } from '@windhover/core';
import {
  TaskFailure,
  assertValidNamespace,
  filterNamespacePaths,
  namespacePathAncestors,
  namespacePathBaseName,
  normalizeNamespacePath,
} from '@windhover/core';
import { descriptorOf } from '../core/descriptor';
import { NAMESPACE_DESCRIPTORS } from '../schemas/namespace';

const P = 'io.kestra.plugin.core.namespace';

/** Validations become non-retryable failures with the validation's message (it names the path). */
function checked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw TaskFailure.nonRetryable((e as Error).message);
  }
}

async function targetNamespace(task: TaskDefinition, ctx: RunContext): Promise<string> {
  if (task['namespace'] === undefined) throw TaskFailure.nonRetryable("'namespace' is required");
  const namespace = await ctx.renderString(task['namespace']);
  return checked(() => assertValidNamespace(namespace));
}

/** A string, a list of strings, or a rendered JSON list: the glob patterns of `files`. */
async function patterns(task: TaskDefinition, ctx: RunContext, name: string): Promise<string[]> {
  const v = await ctx.render(task[name]);
  const parsed = typeof v === 'string' && v.trim().startsWith('[') ? (JSON.parse(v) as unknown) : v;
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length === 0 || !list.every((p) => typeof p === 'string' && p !== '')) {
    throw TaskFailure.nonRetryable(`'${name}' must be a glob or a list of globs`);
  }
  return list as string[];
}

/** Regular files below a directory as `/relative/paths`; symbolic links are skipped so nothing outside can be read. */
async function workingDirFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.isSymbolicLink()) continue;
      if (e.isDirectory()) await walk(join(dir, e.name), `${rel}/${e.name}`);
      else if (e.isFile()) out.push(`${rel}/${e.name}`);
    }
  };
  await walk(root, '');
  return out.sort();
}

type Conflict = 'OVERWRITE' | 'ERROR' | 'SKIP';

/**
 * namespace.UploadFiles: `files` (globs over the task's working directory)
 * and/or `filesMap` (destination path → kestra:// URI), written under
 * `destination` in `namespace`; `conflict` OVERWRITE (default), ERROR or SKIP.
 * Every destination is validated before anything is written.
 */
export const UploadFiles: RunnableTaskPlugin = {
  ...descriptorOf(NAMESPACE_DESCRIPTORS, `${P}.UploadFiles`),
  kind: 'task',
  category: 'runnable',
  async run(task, ctx) {
    const namespace = await targetNamespace(task, ctx);
    const destination = task['destination'] === undefined ? '/' : await ctx.renderString(task['destination']);
    const conflict = (task['conflict'] === undefined ? 'OVERWRITE' : await ctx.renderString(task['conflict'])) as Conflict;
    if (!['OVERWRITE', 'ERROR', 'SKIP'].includes(conflict)) throw TaskFailure.nonRetryable(`Unknown conflict '${conflict}'`);
    const uploads: { path: string; read: () => Promise<Uint8Array> }[] = [];
    const fromMap = async (raw: unknown) => {
      const map = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
      if (typeof map !== 'object' || map === null || Array.isArray(map)) throw TaskFailure.nonRetryable("'filesMap' must map destination paths to kestra:// URIs");
      for (const [to, uri] of Object.entries(map as Record<string, unknown>)) {
        if (typeof uri !== 'string' || !uri.startsWith('kestra://')) throw TaskFailure.nonRetryable(`'${to}' must point to a kestra:// URI`);
        uploads.push({ path: checked(() => normalizeNamespacePath(`${destination}/${to}`)), read: () => ctx.storage.getFile(uri) });
      }
    };
    if (task['filesMap'] !== undefined) await fromMap(await ctx.render(task['filesMap']));
    if (task['files'] !== undefined) {
      const rendered = await ctx.render(task['files']);
      if (typeof rendered === 'object' && rendered !== null && !Array.isArray(rendered)) {
        await fromMap(rendered);
      } else if (!ctx.workingDir) {
        ctx.logger.warn('UploadFiles: no working directory, so no file matches `files`; use it inside a WorkingDirectory task');
      } else {
        const root = ctx.workingDir;
        const globs = await patterns(task, ctx, 'files');
        for (const rel of filterNamespacePaths(await workingDirFiles(root), checked(() => globs))) {
          uploads.push({ path: checked(() => normalizeNamespacePath(`${destination}/${rel}`)), read: async () => new Uint8Array(await readFile(join(root, rel))) });
        }
      }
    }
    if (task['files'] === undefined && task['filesMap'] === undefined) throw TaskFailure.nonRetryable("'files' or 'filesMap' is required");
    let written = 0;
    for (const u of uploads) {
      if (conflict !== 'OVERWRITE' && (await ctx.namespaceFiles.get(namespace, u.path)) !== undefined) {
        if (conflict === 'ERROR') throw TaskFailure.nonRetryable(`Namespace file '${u.path}' already exists in '${namespace}' (conflict: ERROR)`);
        ctx.logger.debug(`Skipping existing namespace file '${u.path}'`);
        continue;
      }
      await ctx.namespaceFiles.put(namespace, u.path, await u.read());
      written++;
    }
    ctx.logger.info(`Uploaded ${written} file(s) to namespace '${namespace}'`);
    return { metrics: [{ name: 'uploaded', type: 'counter', value: written }] };
  },
};

/**
 * namespace.DownloadFiles: copies the namespace files matching `files` to
 * internal storage; output `files` maps each namespace path (`/a/b.sql`) to
 * its kestra:// URI.
 */
export const DownloadFiles: RunnableTaskPlugin = {
  ...descriptorOf(NAMESPACE_DESCRIPTORS, `${P}.DownloadFiles`),
  kind: 'task',
  category: 'runnable',
  async run(task, ctx) {
    const namespace = await targetNamespace(task, ctx);
    const globs = await patterns(task, ctx, 'files');
    const destination = task['destination'] === undefined ? '' : await ctx.renderString(task['destination']);
    const folderPerNamespace = task['folderPerNamespace'] === undefined ? false : (await ctx.render(task['folderPerNamespace'])) === true;
    const metas = (await ctx.namespaceFiles.list(namespace)).filter((m) => m.type === 'File' && !m.deleted);
    const matched = checked(() => filterNamespacePaths(metas, globs));
    const files: Record<string, JsonValue> = {};
    const used = new Set<string>();
    for (const m of matched) {
      const content = await ctx.namespaceFiles.get(namespace, m.path);
      if (content === undefined) continue;
      // Storage keeps one name per task run: files with the same base name get a numbered prefix.
      const base = namespacePathBaseName(m.path);
      let name = base;
      for (let i = 1; used.has(name); i++) name = `${i}_${base}`;
      used.add(name);
      const uri = await ctx.storage.putFile(name, content);
      files[`${folderPerNamespace ? `${namespace}/` : ''}${destination}${m.path}`] = uri;
    }
    return { outputs: { files } };
  },
};

/**
 * namespace.DeleteFiles: deletes the namespace files matching `files`
 * (revisions stay readable); `deleteParentFolder` also removes folders left
 * empty. Metric `deleted` counts the files.
 */
export const DeleteFiles: RunnableTaskPlugin = {
  ...descriptorOf(NAMESPACE_DESCRIPTORS, `${P}.DeleteFiles`),
  kind: 'task',
  category: 'runnable',
  async run(task, ctx) {
    const namespace = await targetNamespace(task, ctx);
    const globs = await patterns(task, ctx, 'files');
    const deleteParentFolder = task['deleteParentFolder'] === undefined ? false : (await ctx.render(task['deleteParentFolder'])) === true;
    const metas = (await ctx.namespaceFiles.list(namespace)).filter((m) => m.type === 'File' && !m.deleted);
    const matched = checked(() => filterNamespacePaths(metas, globs));
    for (const m of matched) await ctx.namespaceFiles.delete(namespace, m.path);
    if (deleteParentFolder) {
      const parents = [...new Set(matched.flatMap((m) => namespacePathAncestors(m.path)))].sort((a, b) => b.length - a.length);
      for (const dir of parents) {
        const inside = await ctx.namespaceFiles.list(namespace, dir);
        if (inside.filter((x) => !x.deleted).length === 0) await ctx.namespaceFiles.delete(namespace, dir);
      }
    }
    ctx.logger.info(`Deleted ${matched.length} file(s) from namespace '${namespace}'`);
    return { metrics: [{ name: 'deleted', type: 'counter', value: matched.length }] };
  },
};

export const NAMESPACE_TASKS: readonly RunnableTaskPlugin[] = [UploadFiles, DownloadFiles, DeleteFiles];
