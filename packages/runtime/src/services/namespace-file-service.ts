import {
  AlreadyExistsError,
  BadRequestError,
  type Clock,
  type NamespaceFileMeta,
  type NamespaceFileStore,
  NotFoundError,
  type TaskNamespaceFiles,
  WindhoverError,
  assertValidNamespace,
  isWithinNamespacePath,
  namespacePathAncestors,
  namespacePathBaseName,
  normalizeNamespacePath,
  parentNamespacePath,
} from '@windhover/core';

/** Default size limit of one namespace file (and of an upload): 50 MB. */
export const DEFAULT_MAX_NAMESPACE_FILE_BYTES = 50 * 1024 * 1024;

/** Kestra's FileAttributes, as the namespace file API returns them (times in epoch milliseconds). */
export interface FileAttributes {
  readonly fileName: string;
  readonly type: 'File' | 'Directory';
  readonly size: number;
  readonly creationTime: number;
  readonly lastModifiedTime: number;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A file or directory that is too large; the HTTP layer maps it to 413. */
export class PayloadTooLargeError extends WindhoverError {
  override readonly name = 'PayloadTooLargeError';
  constructor(what: string, size: number, limit: number) {
    super('PAYLOAD_TOO_LARGE', `${what} is ${size} bytes, above the limit of ${limit} bytes`, { details: { size, limit } });
  }
}

export interface NamespaceFileServiceOptions {
  /** Largest accepted file, and largest accepted upload in total (default 50 MB). */
  readonly maxFileBytes?: number;
}

/** `_flows` is reserved: Kestra keeps flow sources there and forbids reading or writing it as files. */
const RESERVED = '/_flows';

/**
 * Namespace files as the API and tasks use them: validates namespaces and
 * paths (nothing can escape its namespace), enforces the size limit and the
 * file/directory rules, then calls the store. Multi-file writes validate
 * every entry before writing any, so a bad entry changes nothing.
 */
export class NamespaceFileService {
  readonly maxFileBytes: number;

  constructor(
    private readonly store: NamespaceFileStore,
    private readonly clock: Clock,
    options: NamespaceFileServiceOptions = {},
  ) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_NAMESPACE_FILE_BYTES;
  }

  /** Normalized path; `_flows` is refused unless `allowReserved`. */
  path(raw: string, options: { allowReserved?: boolean } = {}): string {
    const path = normalizeNamespacePath(raw);
    if (!options.allowReserved && isWithinNamespacePath(path, RESERVED)) {
      throw new BadRequestError(`'${RESERVED}' is reserved for flows and cannot be used as a namespace file path`);
    }
    return path;
  }

  async get(tenantId: string, namespace: string, rawPath: string, revision?: number): Promise<Uint8Array> {
    assertValidNamespace(namespace);
    const path = this.path(rawPath);
    if (revision !== undefined && (!Number.isInteger(revision) || revision < 1)) {
      throw new BadRequestError(`Invalid revision '${revision}': a positive integer is expected`);
    }
    const data = await this.store.get(tenantId, namespace, path, revision);
    if (!data) {
      const meta = revision === undefined ? await this.store.stat(tenantId, namespace, path) : undefined;
      if (meta?.type === 'Directory') throw new BadRequestError(`'${path}' is a directory`);
      throw new NotFoundError('Namespace file', `${namespace}:${path}${revision === undefined ? '' : ` revision ${revision}`}`);
    }
    return data;
  }

  /** Attributes of a file or directory; the root always exists. */
  async stats(tenantId: string, namespace: string, rawPath = '/'): Promise<FileAttributes> {
    assertValidNamespace(namespace);
    const path = this.path(rawPath);
    const meta = await this.store.stat(tenantId, namespace, path);
    if (!meta) throw new NotFoundError('Namespace file', `${namespace}:${path}`);
    return attributes(meta);
  }

  /** The direct children of a directory (not recursive), directories first, then by name. */
  async listDirectory(tenantId: string, namespace: string, rawPath = '/'): Promise<FileAttributes[]> {
    assertValidNamespace(namespace);
    const path = this.path(rawPath);
    const meta = await this.store.stat(tenantId, namespace, path);
    if (!meta) throw new NotFoundError('Namespace directory', `${namespace}:${path}`);
    if (meta.type !== 'Directory') throw new BadRequestError(`'${path}' is not a directory`);
    const all = await this.store.list(tenantId, namespace, path);
    return all
      .filter((m) => parentNamespacePath(m.path) === path && !isWithinNamespacePath(m.path, RESERVED))
      .sort((a, b) => (a.type === b.type ? (a.path < b.path ? -1 : 1) : a.type === 'Directory' ? -1 : 1))
      .map(attributes);
  }

  /** Every live file (not directory) of a namespace, optionally under a directory. */
  async listFiles(tenantId: string, namespace: string, rawPrefix = '/'): Promise<NamespaceFileMeta[]> {
    assertValidNamespace(namespace);
    const prefix = this.path(rawPrefix);
    const all = await this.store.list(tenantId, namespace, prefix);
    return all.filter((m) => m.type === 'File' && !isWithinNamespacePath(m.path, RESERVED));
  }

  async mkdir(tenantId: string, namespace: string, rawPath: string): Promise<void> {
    assertValidNamespace(namespace);
    const path = this.path(rawPath);
    await this.assertNoFileInTheWay(tenantId, namespace, [...namespacePathAncestors(path), path]);
    await this.store.mkdir(tenantId, namespace, path, this.clock.now());
  }

  /** Writes one file (a new revision when the content changed). */
  async put(tenantId: string, namespace: string, rawPath: string, content: Uint8Array): Promise<{ meta: NamespaceFileMeta; changed: boolean }> {
    const [written] = await this.putMany(tenantId, namespace, [{ path: rawPath, content }]);
    return written;
  }

  /**
   * Writes several files after validating all of them (paths, sizes, total
   * size, file/directory conflicts): one bad entry and nothing is written.
   */
  async putMany(
    tenantId: string,
    namespace: string,
    files: readonly { readonly path: string; readonly content: Uint8Array }[],
  ): Promise<{ meta: NamespaceFileMeta; changed: boolean }[]> {
    assertValidNamespace(namespace);
    const checked = files.map((f) => ({ path: this.path(f.path), content: f.content }));
    let total = 0;
    const seen = new Set<string>();
    for (const f of checked) {
      if (f.path === '/') throw new BadRequestError('A file path is required, not the namespace root');
      if (f.content.byteLength > this.maxFileBytes) throw new PayloadTooLargeError(`File '${f.path}'`, f.content.byteLength, this.maxFileBytes);
      total += f.content.byteLength;
      seen.add(f.path);
    }
    if (total > this.maxFileBytes) throw new PayloadTooLargeError('The upload', total, this.maxFileBytes);
    for (const f of checked) {
      for (const a of namespacePathAncestors(f.path)) {
        if (seen.has(a)) throw new BadRequestError(`'${a}' cannot be both a file and a directory`);
      }
      const existing = await this.store.stat(tenantId, namespace, f.path);
      if (existing?.type === 'Directory') throw new BadRequestError(`'${f.path}' is a directory`);
      await this.assertNoFileInTheWay(tenantId, namespace, namespacePathAncestors(f.path));
    }
    const out: { meta: NamespaceFileMeta; changed: boolean }[] = [];
    for (const f of checked) out.push(await this.store.put(tenantId, namespace, f.path, f.content, this.clock.now()));
    return out;
  }

  /**
   * Moves a file or a directory (with everything below it). The content
   * moves as a new file at the destination; the source's history stays
   * readable by revision under its old path, as after a delete.
   */
  async move(tenantId: string, namespace: string, rawFrom: string, rawTo: string): Promise<void> {
    assertValidNamespace(namespace);
    const from = this.path(rawFrom);
    const to = this.path(rawTo);
    if (from === '/' || to === '/') throw new BadRequestError('The namespace root cannot be moved or replaced');
    if (from === to) return;
    if (isWithinNamespacePath(to, from)) throw new BadRequestError(`Cannot move '${from}' into itself ('${to}')`);
    const source = await this.store.stat(tenantId, namespace, from);
    if (!source) throw new NotFoundError('Namespace file', `${namespace}:${from}`);
    if (await this.store.stat(tenantId, namespace, to)) throw new AlreadyExistsError('Namespace file', `${namespace}:${to}`);
    await this.assertNoFileInTheWay(tenantId, namespace, namespacePathAncestors(to));
    const entries = source.type === 'File' ? [source] : await this.store.list(tenantId, namespace, from);
    const now = this.clock.now();
    if (source.type === 'Directory') await this.store.mkdir(tenantId, namespace, to, now);
    for (const e of entries) {
      const target = source.type === 'File' ? to : `${to}${e.path.slice(from.length)}`;
      if (e.type === 'Directory') {
        await this.store.mkdir(tenantId, namespace, target, now);
      } else {
        const data = await this.store.get(tenantId, namespace, e.path);
        if (data) await this.store.put(tenantId, namespace, target, data, now);
      }
    }
    await this.store.delete(tenantId, namespace, from, now);
  }

  /** Deletes a file or a directory recursively; returns the deleted paths. */
  async delete(tenantId: string, namespace: string, rawPath: string): Promise<readonly string[]> {
    assertValidNamespace(namespace);
    const path = this.path(rawPath);
    if (path === '/') throw new BadRequestError('The namespace root cannot be deleted; delete its entries instead');
    const deleted = await this.store.delete(tenantId, namespace, path, this.clock.now());
    if (deleted.length === 0) throw new NotFoundError('Namespace file', `${namespace}:${path}`);
    return deleted;
  }

  /** Paths of files whose path contains `q` (case-insensitive), Kestra's search. */
  async search(tenantId: string, namespace: string, q: string): Promise<string[]> {
    const needle = q.toLowerCase();
    return (await this.listFiles(tenantId, namespace)).map((m) => m.path).filter((p) => p.toLowerCase().includes(needle));
  }

  /** `[{revision}]` of a file, oldest first; 404 when it never existed or its latest revision is a delete. */
  async revisions(tenantId: string, namespace: string, rawPath: string): Promise<{ revision: number }[]> {
    assertValidNamespace(namespace);
    const path = this.path(rawPath);
    const revs = await this.store.revisions(tenantId, namespace, path);
    if (revs.length === 0 || revs[revs.length - 1].deleted) throw new NotFoundError('Namespace file', `${namespace}:${path}`);
    return revs.filter((r) => !r.deleted).map((r) => ({ revision: r.revision }));
  }

  /**
   * Namespace files as a task sees them (ctx.namespaceFiles) for one tenant:
   * the same validation and limits as the API.
   */
  forTasks(tenantId: string): TaskNamespaceFiles {
    return {
      get: async (namespace, path) => {
        assertValidNamespace(namespace);
        return this.store.get(tenantId, namespace, this.path(path));
      },
      list: async (namespace, prefix) => {
        assertValidNamespace(namespace);
        const all = await this.store.list(tenantId, namespace, this.path(prefix ?? '/'));
        return all.filter((m) => !isWithinNamespacePath(m.path, RESERVED));
      },
      put: (namespace, path, content) => this.put(tenantId, namespace, path, content),
      delete: async (namespace, path) => {
        assertValidNamespace(namespace);
        const p = this.path(path);
        if (p === '/') throw new BadRequestError('The namespace root cannot be deleted; delete its entries instead');
        return this.store.delete(tenantId, namespace, p, this.clock.now());
      },
    };
  }

  private async assertNoFileInTheWay(tenantId: string, namespace: string, dirs: readonly string[]): Promise<void> {
    for (const dir of dirs) {
      const meta = await this.store.stat(tenantId, namespace, dir);
      if (meta?.type === 'File') throw new BadRequestError(`'${dir}' is a file, not a directory`);
    }
  }
}

function attributes(m: NamespaceFileMeta): FileAttributes {
  return {
    fileName: namespacePathBaseName(m.path),
    type: m.type,
    size: m.size,
    creationTime: Date.parse(m.created ?? m.updated),
    lastModifiedTime: Date.parse(m.updated),
    metadata: {},
  };
}
