import { type RunContext, TaskFailure } from '@windhover/core';
import picomatch from 'picomatch';

/** The `namespaceFiles` property of script tasks (gitops-spec §2, core-spec §4.8). */
export interface NamespaceFilesOption {
  readonly enabled?: boolean;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** Load order: later namespaces win on the same path. Default: the flow's namespace. */
  readonly namespaces?: readonly string[];
  readonly ifExists?: 'OVERWRITE' | 'FAIL' | 'WARN' | 'IGNORE';
  readonly folderPerNamespace?: boolean;
}

/** Kestra prefixes patterns that do not start with `/` with `**\/`, and matches paths without their leading slash. */
const toMatcher = (patterns: readonly string[] | undefined): ((path: string) => boolean) | undefined => {
  if (!patterns || patterns.length === 0) return undefined;
  const globs = patterns.map((p) => {
    const g = p.replace(/^glob:/, '');
    return g.startsWith('/') ? g.slice(1) : `**/${g}`;
  });
  return picomatch(globs, { dot: true });
};

/** The namespace files a task asked for, as working-directory relative paths. */
export async function resolveNamespaceFiles(option: NamespaceFilesOption | undefined, ctx: RunContext): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  if (!option || option.enabled === false) return files;
  const include = toMatcher(option.include);
  const exclude = toMatcher(option.exclude);
  const ifExists = option.ifExists ?? 'OVERWRITE';
  for (const namespace of option.namespaces ?? [ctx.namespace]) {
    for (const meta of await ctx.namespaceFiles.list(namespace)) {
      if (meta.type !== 'File') continue;
      const rel = meta.path.replace(/^\/+/, '');
      if (include && !include(rel)) continue;
      if (exclude?.(rel)) continue;
      const target = option.folderPerNamespace ? `${namespace}/${rel}` : rel;
      if (files.has(target)) {
        if (ifExists === 'FAIL') throw TaskFailure.nonRetryable(`Namespace file '${rel}' exists in several namespaces (ifExists: FAIL)`);
        if (ifExists === 'IGNORE') continue;
        if (ifExists === 'WARN') ctx.logger.warn(`Namespace file '${rel}' from '${namespace}' overwrites an earlier one`);
      }
      const content = await ctx.namespaceFiles.get(namespace, meta.path);
      if (content) files.set(target, content);
    }
  }
  return files;
}
