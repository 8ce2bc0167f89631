import type { RunContext, RunnableTaskPlugin } from '@windhover/core';
import { TaskFailure } from '@windhover/core';
import { CORE_STORAGE_DESCRIPTORS } from '../schemas/core-storage';
import { descriptorOf } from './descriptor';

const P = 'io.kestra.plugin.core.storage';
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const runnable = { kind: 'task', category: 'runnable' } as const;

async function uriProp(ctx: RunContext, value: unknown, name: string): Promise<string> {
  const uri = await ctx.renderString(value);
  if (!uri.startsWith('kestra://')) throw TaskFailure.nonRetryable(`\`${name}\` must be a kestra:// URI, got '${uri}'`);
  return uri;
}

/** `10MB`, `200KB`, `1GB` or a plain number of bytes. */
export function parseBytes(v: unknown): number {
  if (typeof v === 'number') return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?B?)?\s*$/i.exec(String(v));
  if (!m) throw TaskFailure.nonRetryable(`Invalid size '${String(v)}'`);
  const unit = (m[2] ?? '').toUpperCase().replace('B', '');
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[unit] ?? 1;
  return Math.floor(Number(m[1]) * mult);
}

/** io.kestra.plugin.core.storage.Write: `content` to a new file; output `uri`. */
export const Write: RunnableTaskPlugin = {
  ...descriptorOf(CORE_STORAGE_DESCRIPTORS, `${P}.Write`),
  ...runnable,
  async run(task, ctx) {
    const content = await ctx.renderString(task['content'] ?? '');
    const ext = task['extension'] === undefined ? '.ion' : await ctx.renderString(task['extension']);
    const uri = await ctx.storage.putFile(`${ctx.taskId}${ext.startsWith('.') || ext === '' ? ext : `.${ext}`}`, encoder.encode(content));
    return { outputs: { uri } };
  },
};

/** io.kestra.plugin.core.storage.Delete: outputs `uri` and `deleted`; fails on a missing file only with errorOnMissing. */
export const Delete: RunnableTaskPlugin = {
  ...descriptorOf(CORE_STORAGE_DESCRIPTORS, `${P}.Delete`),
  ...runnable,
  async run(task, ctx) {
    const uri = await uriProp(ctx, task['uri'], 'uri');
    const deleted = await ctx.storage.delete(uri);
    if (!deleted && task['errorOnMissing'] === true) throw TaskFailure.nonRetryable(`Unable to find file '${uri}'`);
    return { outputs: { uri, deleted } };
  },
};

/** io.kestra.plugin.core.storage.Size: output `size` in bytes. */
export const Size: RunnableTaskPlugin = {
  ...descriptorOf(CORE_STORAGE_DESCRIPTORS, `${P}.Size`),
  ...runnable,
  async run(task, ctx) {
    const uri = await uriProp(ctx, task['uri'], 'uri');
    return { outputs: { size: await ctx.storage.size(uri) } };
  },
};

/** io.kestra.plugin.core.storage.Concat: `files` (list or JSON array string) joined with `separator`. */
export const Concat: RunnableTaskPlugin = {
  ...descriptorOf(CORE_STORAGE_DESCRIPTORS, `${P}.Concat`),
  ...runnable,
  async run(task, ctx) {
    let files = await ctx.render(task['files']);
    if (typeof files === 'string') files = JSON.parse(files);
    if (!Array.isArray(files)) throw TaskFailure.nonRetryable('`files` must be a list of kestra:// URIs');
    const separator = task['separator'] === undefined ? '' : await ctx.renderString(task['separator']);
    const parts: Uint8Array[] = [];
    for (const [i, f] of files.entries()) {
      if (i > 0 && separator) parts.push(encoder.encode(separator));
      parts.push(await ctx.storage.getFile(String(f)));
    }
    const ext = task['extension'] === undefined ? '.tmp' : await ctx.renderString(task['extension']);
    const uri = await ctx.storage.putFile(`${ctx.taskId}${ext}`, Buffer.concat(parts));
    return { outputs: { uri } };
  },
};

/** io.kestra.plugin.core.storage.Split: `from` split by `rows`, `partitions` or `bytes`; output `uris`. */
export const Split: RunnableTaskPlugin = {
  ...descriptorOf(CORE_STORAGE_DESCRIPTORS, `${P}.Split`),
  ...runnable,
  async run(task, ctx) {
    const from = await uriProp(ctx, task['from'], 'from');
    const separator = task['separator'] === undefined ? '\n' : await ctx.renderString(task['separator']);
    const text = decoder.decode(await ctx.storage.getFile(from));
    const lines = text.split(separator);
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    const chunks: string[][] = [];
    if (task['rows'] !== undefined) {
      const rows = Number(await ctx.render(task['rows']));
      if (!(rows > 0)) throw TaskFailure.nonRetryable('`rows` must be positive');
      for (let i = 0; i < lines.length; i += rows) chunks.push(lines.slice(i, i + rows));
    } else if (task['partitions'] !== undefined) {
      const n = Number(await ctx.render(task['partitions']));
      if (!(n > 0)) throw TaskFailure.nonRetryable('`partitions` must be positive');
      for (let p = 0; p < n; p++) chunks.push([]);
      lines.forEach((l, i) => {
        chunks[i % n].push(l);
      });
    } else if (task['bytes'] !== undefined) {
      const max = parseBytes(await ctx.render(task['bytes']));
      let cur: string[] = [];
      let size = 0;
      for (const l of lines) {
        const b = encoder.encode(l + separator).length;
        if (cur.length > 0 && size + b > max) {
          chunks.push(cur);
          cur = [];
          size = 0;
        }
        cur.push(l);
        size += b;
      }
      if (cur.length > 0) chunks.push(cur);
    } else {
      throw TaskFailure.nonRetryable('One of `rows`, `partitions` or `bytes` is required');
    }
    const ext = from.includes('.') ? from.slice(from.lastIndexOf('.')) : '';
    const uris: string[] = [];
    for (const [i, c] of chunks.entries()) {
      if (c.length === 0) continue;
      uris.push(await ctx.storage.putFile(`${ctx.taskId}-${i}${ext}`, encoder.encode(c.map((l) => l + separator).join(''))));
    }
    return { outputs: { uris } };
  },
};

/** io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles: deletes every file of this execution; output `uris`. */
export const PurgeCurrentExecutionFiles: RunnableTaskPlugin = {
  ...descriptorOf(CORE_STORAGE_DESCRIPTORS, `${P}.PurgeCurrentExecutionFiles`),
  ...runnable,
  async run(_task, ctx) {
    if (!ctx.storage.listExecutionFiles) throw TaskFailure.nonRetryable('Execution files cannot be listed here');
    const uris = [...(await ctx.storage.listExecutionFiles())];
    for (const u of uris) await ctx.storage.delete(u);
    return { outputs: { uris } };
  },
};
