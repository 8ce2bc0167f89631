import { type RunContext, TaskFailure, parseNamespaceFilesOptions, planNamespaceFiles, resolveNamespaceFileConflict } from '@windhover/core';

/**
 * The namespace files a task asked for with `namespaceFiles` (include,
 * exclude, namespaces in load order, ifExists, folderPerNamespace), as
 * working-directory relative paths, with Kestra's matching rules from core.
 */
export async function resolveNamespaceFiles(rendered: unknown, ctx: RunContext): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const options = parseNamespaceFilesOptions(rendered, ctx.namespace);
  if (!options) return files;
  const listed = await Promise.all(
    options.namespaces.map(async (namespace) => ({
      namespace,
      paths: (await ctx.namespaceFiles.list(namespace)).filter((m) => m.type === 'File').map((m) => m.path),
    })),
  );
  const seen = new Set<string>();
  for (const copy of planNamespaceFiles(listed, options)) {
    if (seen.has(copy.target)) {
      const conflict = resolveNamespaceFileConflict(options.ifExists);
      if (conflict.fail) throw TaskFailure.nonRetryable(`Namespace file '${copy.target}' already exists in the working directory (ifExists: FAIL)`);
      if (conflict.log === 'warn') ctx.logger.warn(`Namespace file '${copy.target}' already exists in the working directory: kept`);
      if (!conflict.write) continue;
    }
    const content = await ctx.namespaceFiles.get(copy.namespace, copy.path);
    if (content) files.set(copy.target, content);
    seen.add(copy.target);
  }
  return files;
}
