import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { InternalStorage } from '@windhover/core';
import { BadRequestError, NotFoundError } from '@windhover/core';

const SCHEME = 'kestra://';

/**
 * Internal storage in a folder: `kestra:///a/b/c.txt` is `<root>/a/b/c.txt`.
 * Only clean absolute paths are accepted, so nothing can reach outside the root.
 */
export class FsInternalStorage implements InternalStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The path segments of a URI, or a BadRequestError for anything that is not a clean absolute path. */
  private segments(uri: string, allowRoot = false): string[] {
    const path = uri.startsWith(SCHEME) ? uri.slice(SCHEME.length) : uri;
    if (!path.startsWith('/') || path.includes('\0') || path.includes('\\')) {
      throw new BadRequestError(`invalid internal storage URI '${uri}'`);
    }
    const trimmed = path.endsWith('/') && path.length > 1 ? path.slice(0, -1) : path;
    const parts = trimmed === '/' ? [] : trimmed.slice(1).split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..') || (!allowRoot && parts.length === 0)) {
      throw new BadRequestError(`invalid internal storage URI '${uri}'`);
    }
    return parts;
  }

  private file(uri: string, allowRoot = false): string {
    const target = join(this.root, ...this.segments(uri, allowRoot));
    // Defence in depth: segments are already clean, so this only fails on a bug.
    if (target !== this.root && !target.startsWith(this.root + sep)) throw new BadRequestError(`invalid internal storage URI '${uri}'`);
    return target;
  }

  async put(uri: string, data: Uint8Array): Promise<void> {
    const target = this.file(uri);
    await mkdir(join(target, '..'), { recursive: true });
    // Write then rename, so a reader never sees a half-written file.
    const tmp = `${target}.${randomUUID()}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, target);
  }

  async get(uri: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.file(uri)));
    } catch (e) {
      if (isMissing(e)) throw new NotFoundError('File', uri);
      throw e;
    }
  }

  async exists(uri: string): Promise<boolean> {
    try {
      return (await stat(this.file(uri))).isFile();
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  }

  async size(uri: string): Promise<number> {
    try {
      const s = await stat(this.file(uri));
      if (!s.isFile()) throw new NotFoundError('File', uri);
      return s.size;
    } catch (e) {
      if (isMissing(e)) throw new NotFoundError('File', uri);
      throw e;
    }
  }

  async delete(uri: string): Promise<boolean> {
    try {
      await unlink(this.file(uri));
      return true;
    } catch (e) {
      if (isMissing(e) || (e as NodeJS.ErrnoException).code === 'EISDIR' || (e as NodeJS.ErrnoException).code === 'EPERM') return false;
      throw e;
    }
  }

  async list(prefix: string): Promise<readonly string[]> {
    const parts = this.segments(prefix, true);
    const out: string[] = [];
    const walk = async (dir: string, rel: string[]): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if (isMissing(e) || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw e;
      }
      for (const entry of entries) {
        if (entry.name.endsWith('.tmp')) continue;
        if (entry.isDirectory()) await walk(join(dir, entry.name), [...rel, entry.name]);
        else if (entry.isFile()) out.push(`${SCHEME}/${[...rel, entry.name].join('/')}`);
      }
    };
    // A prefix may name a file or a folder; both list what lies at or under it.
    const target = join(this.root, ...parts);
    try {
      if ((await stat(target)).isFile()) return [`${SCHEME}/${parts.join('/')}`];
    } catch (e) {
      if (!isMissing(e)) throw e;
      return [];
    }
    await walk(target, parts);
    return out.sort();
  }

  async deletePrefix(prefix: string): Promise<number> {
    const uris = await this.list(prefix);
    const parts = this.segments(prefix, true);
    if (parts.length === 0) {
      for (const u of uris) await this.delete(u);
    } else {
      await rm(join(this.root, ...parts), { recursive: true, force: true });
    }
    return uris.length;
  }
}

const isMissing = (e: unknown): boolean => (e as NodeJS.ErrnoException)?.code === 'ENOENT';
