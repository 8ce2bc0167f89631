import { BadRequestError } from '../errors';
import { assertValidNamespace } from './namespace-name';
import { filterNamespacePaths } from './path-glob';

export type NamespaceFilesIfExists = 'OVERWRITE' | 'FAIL' | 'WARN' | 'IGNORE';

/** The `namespaceFiles` property of tasks with a working directory (scripts, WorkingDirectory, ...). */
export interface NamespaceFilesOptions {
  readonly enabled: boolean;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** Namespaces loaded in order; a later namespace wins on the same path. Default: the flow's. */
  readonly namespaces: readonly string[];
  readonly ifExists: NamespaceFilesIfExists;
  readonly folderPerNamespace: boolean;
}

const IF_EXISTS: readonly NamespaceFilesIfExists[] = ['OVERWRITE', 'FAIL', 'WARN', 'IGNORE'];

function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
    throw new BadRequestError(`namespaceFiles.${name} must be a list of strings`);
  }
  return list;
}

/**
 * Reads a rendered `namespaceFiles` property with Kestra's defaults
 * (`enabled` when the block is set, `ifExists: OVERWRITE`, `folderPerNamespace: false`,
 * namespaces = the flow's). Returns undefined when absent or disabled.
 */
export function parseNamespaceFilesOptions(value: unknown, flowNamespace: string): NamespaceFilesOptions | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new BadRequestError('namespaceFiles must be an object');
  const v = value as Record<string, unknown>;
  // Setting the block enables it (core-spec §4.8); `enabled: false` turns it off.
  const enabled = v.enabled === undefined || v.enabled === true || v.enabled === 'true';
  if (!enabled) return undefined;
  const ifExists = (v.ifExists ?? 'OVERWRITE') as NamespaceFilesIfExists;
  if (!IF_EXISTS.includes(ifExists)) {
    throw new BadRequestError(`namespaceFiles.ifExists must be one of ${IF_EXISTS.join(', ')}`);
  }
  const namespaces = stringList(v.namespaces, 'namespaces') ?? [flowNamespace];
  namespaces.forEach(assertValidNamespace);
  return {
    enabled,
    include: stringList(v.include, 'include'),
    exclude: stringList(v.exclude, 'exclude'),
    namespaces,
    ifExists,
    folderPerNamespace: v.folderPerNamespace === true || v.folderPerNamespace === 'true',
  };
}

/** One namespace file to copy into a working directory. */
export interface NamespaceFileCopy {
  readonly namespace: string;
  /** Namespace file path, rooted at `/`. */
  readonly path: string;
  /** Relative path inside the working directory (no leading `/`). */
  readonly target: string;
}

/**
 * Which files go where: filters each namespace's files with include/exclude,
 * places them at the root (or under a folder named after the namespace with
 * `folderPerNamespace`), and keeps the last namespace's file when two
 * namespaces provide the same target.
 */
export function planNamespaceFiles(
  filesByNamespace: readonly { readonly namespace: string; readonly paths: readonly string[] }[],
  options: Pick<NamespaceFilesOptions, 'include' | 'exclude' | 'folderPerNamespace'>,
): NamespaceFileCopy[] {
  const byTarget = new Map<string, NamespaceFileCopy>();
  for (const { namespace, paths } of filesByNamespace) {
    for (const path of filterNamespacePaths(paths, options.include, options.exclude)) {
      const relative = path.replace(/^\/+/, '');
      const target = options.folderPerNamespace ? `${namespace}/${relative}` : relative;
      byTarget.delete(target);
      byTarget.set(target, { namespace, path, target });
    }
  }
  return [...byTarget.values()];
}

/**
 * What to do when a target already exists in the working directory:
 * OVERWRITE writes and logs at debug, FAIL fails the task, WARN keeps the
 * existing file and logs a warning, IGNORE keeps it silently.
 */
export function resolveNamespaceFileConflict(
  ifExists: NamespaceFilesIfExists,
): { readonly write: boolean; readonly fail: boolean; readonly log?: 'debug' | 'warn' } {
  switch (ifExists) {
    case 'OVERWRITE':
      return { write: true, fail: false, log: 'debug' };
    case 'FAIL':
      return { write: false, fail: true };
    case 'WARN':
      return { write: false, fail: false, log: 'warn' };
    case 'IGNORE':
      return { write: false, fail: false };
  }
}
