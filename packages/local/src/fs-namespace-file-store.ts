import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadRequestError, type NamespaceFileMeta, type NamespaceFileStore } from '@windhover/core';
import type { SqliteDatabase } from './sqlite-database';

interface CurrentRow {
  readonly path: string;
  readonly type: 'File' | 'Directory';
  readonly size: number;
  readonly revision: number;
  readonly hash: string | null;
  readonly created: string;
  readonly updated: string;
  readonly deleted: number;
}

interface RevisionRow {
  readonly path: string;
  readonly revision: number;
  readonly size: number;
  readonly hash: string | null;
  readonly updated: string;
  readonly deleted: number;
}

const EPOCH = new Date(0).toISOString();

/**
 * Namespace files of the local edition: bytes on disk under `root`,
 * content-addressed by SHA-256 (`blobs/ab/abcdef…`), metadata and revisions
 * in SQLite. User paths never reach the file system (only hashes do), so a
 * path cannot escape the folder even if validation were bypassed; identical
 * content is stored once and a revision's bytes are never overwritten.
 */
export class FsNamespaceFileStore implements NamespaceFileStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly root: string,
  ) {
    mkdirSync(join(root, 'blobs'), { recursive: true });
    db.exec(`CREATE TABLE IF NOT EXISTS namespace_files (
      tenant_id TEXT NOT NULL, namespace TEXT NOT NULL, path TEXT NOT NULL, type TEXT NOT NULL, size INTEGER NOT NULL,
      revision INTEGER NOT NULL, hash TEXT, created TEXT NOT NULL, updated TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (tenant_id, namespace, path));
      CREATE TABLE IF NOT EXISTS namespace_file_revisions (
      tenant_id TEXT NOT NULL, namespace TEXT NOT NULL, path TEXT NOT NULL, revision INTEGER NOT NULL, size INTEGER NOT NULL,
      hash TEXT, updated TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (tenant_id, namespace, path, revision))`);
  }

  async get(tenantId: string, namespace: string, path: string, revision?: number): Promise<Uint8Array | undefined> {
    const hash =
      revision === undefined
        ? this.current(tenantId, namespace, path, true)?.hash
        : (
            this.db
              .prepare('SELECT hash, deleted FROM namespace_file_revisions WHERE tenant_id = ? AND namespace = ? AND path = ? AND revision = ?')
              .get(tenantId, namespace, path, revision) as { hash: string | null; deleted: number } | undefined
          )?.hash;
    return hash ? new Uint8Array(readFileSync(this.blobPath(hash))) : undefined;
  }

  async stat(tenantId: string, namespace: string, path: string): Promise<NamespaceFileMeta | undefined> {
    if (path === '/') return { path: '/', type: 'Directory', size: 0, revision: 0, created: EPOCH, updated: EPOCH };
    const row = this.current(tenantId, namespace, path, true);
    return row ? toMeta(row) : undefined;
  }

  async list(tenantId: string, namespace: string, prefix = '/'): Promise<readonly NamespaceFileMeta[]> {
    const dir = prefix === '/' ? '/' : `${prefix.replace(/\/+$/, '')}/`;
    const rows = this.db
      .prepare(
        'SELECT * FROM namespace_files WHERE tenant_id = ? AND namespace = ? AND deleted = 0 AND substr(path, 1, ?) = ? ORDER BY path',
      )
      .all(tenantId, namespace, dir.length, dir) as CurrentRow[];
    return rows.map(toMeta);
  }

  async put(
    tenantId: string,
    namespace: string,
    path: string,
    content: Uint8Array,
    now: Date,
  ): Promise<{ meta: NamespaceFileMeta; changed: boolean }> {
    const hash = createHash('sha256').update(content).digest('hex');
    this.writeBlob(hash, content);
    const at = now.toISOString();
    return this.db
      .transaction(() => {
        const cur = this.current(tenantId, namespace, path, false);
        if (cur && !cur.deleted && cur.type === 'Directory') {
          throw new BadRequestError(`'${path}' is a directory`);
        }
        if (cur && !cur.deleted && cur.hash === hash) return { meta: toMeta(cur), changed: false };
        this.ensureDirectories(tenantId, namespace, ancestors(path), at);
        const revision = this.lastRevision(tenantId, namespace, path) + 1;
        const created = cur && !cur.deleted ? cur.created : at;
        this.db
          .prepare(
            `INSERT OR REPLACE INTO namespace_files (tenant_id, namespace, path, type, size, revision, hash, created, updated, deleted)
             VALUES (?, ?, ?, 'File', ?, ?, ?, ?, ?, 0)`,
          )
          .run(tenantId, namespace, path, content.byteLength, revision, hash, created, at);
        this.db
          .prepare(
            'INSERT INTO namespace_file_revisions (tenant_id, namespace, path, revision, size, hash, updated, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, 0)',
          )
          .run(tenantId, namespace, path, revision, content.byteLength, hash, at);
        const meta: NamespaceFileMeta = { path, type: 'File', size: content.byteLength, revision, created, updated: at };
        return { meta, changed: true };
      })
      .immediate();
  }

  async mkdir(tenantId: string, namespace: string, path: string, now: Date): Promise<void> {
    if (path === '/') return;
    this.db.transaction(() => this.ensureDirectories(tenantId, namespace, [...ancestors(path), path], now.toISOString())).immediate();
  }

  async delete(tenantId: string, namespace: string, path: string, now: Date): Promise<readonly string[]> {
    const at = now.toISOString();
    return this.db
      .transaction(() => {
        const target = path === '/' ? undefined : this.current(tenantId, namespace, path, true);
        if (path !== '/' && !target) return [];
        const victims: CurrentRow[] = target?.type === 'File' ? [target] : [...(target ? [target] : []), ...this.below(tenantId, namespace, path)];
        for (const v of victims) {
          if (v.type === 'File') {
            const revision = this.lastRevision(tenantId, namespace, v.path) + 1;
            this.db
              .prepare(
                'INSERT INTO namespace_file_revisions (tenant_id, namespace, path, revision, size, hash, updated, deleted) VALUES (?, ?, ?, ?, 0, NULL, ?, 1)',
              )
              .run(tenantId, namespace, v.path, revision, at);
            this.db
              .prepare('UPDATE namespace_files SET deleted = 1, revision = ?, updated = ? WHERE tenant_id = ? AND namespace = ? AND path = ?')
              .run(revision, at, tenantId, namespace, v.path);
          } else {
            this.db
              .prepare('UPDATE namespace_files SET deleted = 1, updated = ? WHERE tenant_id = ? AND namespace = ? AND path = ?')
              .run(at, tenantId, namespace, v.path);
          }
        }
        return victims.map((v) => v.path).sort();
      })
      .immediate();
  }

  async revisions(tenantId: string, namespace: string, path: string): Promise<readonly NamespaceFileMeta[]> {
    const first = this.current(tenantId, namespace, path, false);
    const rows = this.db
      .prepare('SELECT * FROM namespace_file_revisions WHERE tenant_id = ? AND namespace = ? AND path = ? ORDER BY revision')
      .all(tenantId, namespace, path) as RevisionRow[];
    return rows.map((r) => ({
      path: r.path,
      type: 'File' as const,
      size: r.size,
      revision: r.revision,
      created: first?.created ?? r.updated,
      updated: r.updated,
      ...(r.deleted ? { deleted: true } : {}),
    }));
  }

  private current(tenantId: string, namespace: string, path: string, liveOnly: boolean): CurrentRow | undefined {
    return this.db
      .prepare(`SELECT * FROM namespace_files WHERE tenant_id = ? AND namespace = ? AND path = ?${liveOnly ? ' AND deleted = 0' : ''}`)
      .get(tenantId, namespace, path) as CurrentRow | undefined;
  }

  private below(tenantId: string, namespace: string, dir: string): CurrentRow[] {
    const p = dir === '/' ? '/' : `${dir}/`;
    return this.db
      .prepare('SELECT * FROM namespace_files WHERE tenant_id = ? AND namespace = ? AND deleted = 0 AND substr(path, 1, ?) = ?')
      .all(tenantId, namespace, p.length, p) as CurrentRow[];
  }

  private lastRevision(tenantId: string, namespace: string, path: string): number {
    const row = this.db
      .prepare('SELECT MAX(revision) AS r FROM namespace_file_revisions WHERE tenant_id = ? AND namespace = ? AND path = ?')
      .get(tenantId, namespace, path) as { r: number | null };
    return row.r ?? 0;
  }

  /** Live directory rows for each path, in order (parents first); a live file in the way is an error. */
  private ensureDirectories(tenantId: string, namespace: string, dirs: readonly string[], at: string): void {
    for (const dir of dirs) {
      const cur = this.current(tenantId, namespace, dir, true);
      if (cur?.type === 'Directory') continue;
      if (cur) throw new BadRequestError(`'${dir}' is a file, not a directory`);
      this.db
        .prepare(
          `INSERT OR REPLACE INTO namespace_files (tenant_id, namespace, path, type, size, revision, hash, created, updated, deleted)
           VALUES (?, ?, ?, 'Directory', 0, 0, NULL, ?, ?, 0)`,
        )
        .run(tenantId, namespace, dir, at, at);
    }
  }

  private blobPath(hash: string): string {
    return join(this.root, 'blobs', hash.slice(0, 2), hash);
  }

  private writeBlob(hash: string, content: Uint8Array): void {
    const target = this.blobPath(hash);
    if (existsSync(target)) return;
    mkdirSync(join(this.root, 'blobs', hash.slice(0, 2)), { recursive: true });
    // Write then rename: a crash never leaves a truncated blob under its final name.
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(tmp, content);
    renameSync(tmp, target);
  }
}

function ancestors(path: string): string[] {
  const parts = path.split('/').filter((s) => s !== '');
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

function toMeta(r: CurrentRow): NamespaceFileMeta {
  return {
    path: r.path,
    type: r.type,
    size: r.size,
    revision: r.revision,
    created: r.created,
    updated: r.updated,
    ...(r.deleted ? { deleted: true } : {}),
  };
}
