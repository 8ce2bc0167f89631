import { type RunContext, type TaskDefinition, TaskFailure } from '@windhover/core';
import { resolveNamespaceFiles } from './namespace-files';
import { safeRelativePath } from './staging';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Content of one `inputFiles` entry: inline text, or a kestra:// / nsfile:// URI to fetch. */
async function inputFileContent(value: unknown, ctx: RunContext): Promise<Uint8Array> {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.startsWith('kestra://')) return ctx.storage.getFile(text);
  if (text.startsWith('nsfile://')) {
    const rest = text.slice('nsfile://'.length);
    const slash = rest.indexOf('/');
    const namespace = slash > 0 ? rest.slice(0, slash) : ctx.namespace;
    const path = slash > 0 ? rest.slice(slash) : rest;
    const content = await ctx.namespaceFiles.get(namespace, path.startsWith('/') ? path : `/${path}`);
    if (!content) throw TaskFailure.nonRetryable(`Namespace file '${text}' not found`);
    return content;
  }
  return new TextEncoder().encode(text);
}

/**
 * The files a task asks for in its working directory: `namespaceFiles`
 * first, then `inputFiles` (a map of name to content or URI, or an
 * expression rendering to one), which win on the same name.
 */
export async function resolveInputFiles(task: TaskDefinition, ctx: RunContext, extra: Readonly<Record<string, unknown>>): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  if (task.namespaceFiles !== undefined) {
    for (const [name, content] of await resolveNamespaceFiles(await ctx.render(task.namespaceFiles, extra), ctx)) files.set(name, content);
  }
  const rendered = task.inputFiles === undefined ? {} : await ctx.render(task.inputFiles, extra);
  const inputFiles = typeof rendered === 'string' ? (JSON.parse(rendered) as unknown) : rendered;
  if (!isRecord(inputFiles)) throw TaskFailure.nonRetryable("'inputFiles' must be a map of file name to content or URI");
  for (const [name, value] of Object.entries(inputFiles)) files.set(safeRelativePath(name), await inputFileContent(value, ctx));
  return files;
}
