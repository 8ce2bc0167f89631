import { type DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError } from '@windhover/core';
import type { NamespaceFileMeta, NamespaceFileStore } from '@windhover/core';
import { withVersionCheck } from './dynamo-errors';
import { keys, pad, sha256 } from './dynamo-keys';
import { queryAll } from './dynamo-query';
import type { BlobStore } from './item-codec';

interface FileItem {
  readonly path: string;
  readonly type: 'File' | 'Directory';
  readonly size: number;
  readonly revision: number;
  readonly created?: string;
  readonly updated: string;
  readonly deleted?: boolean;
  readonly hash?: string;
}

const ROOT: NamespaceFileMeta = { path: '/', type: 'Directory', size: 0, revision: 0, updated: new Date(0).toISOString() };

/**
 * Namespace files: metadata and revisions in DynamoDB, content in S3,
 * content-addressed by SHA-256 (`namespace-files/{tenant}/{ns}/{sha}`), so a
 * revision's bytes are never overwritten and identical content is stored
 * once. A write that changes a file updates its current item and adds a
 * revision item in one transaction, conditioned on the revision it read.
 */
export class DynamoS3NamespaceFileStore implements NamespaceFileStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly blobs: BlobStore,
  ) {}

  async get(tenantId: string, namespace: string, path: string, revision?: number): Promise<Uint8Array | undefined> {
    const item =
      revision === undefined
        ? await this.current(tenantId, namespace, path)
        : await this.item(keys.nsFileRevisions(tenantId, namespace, path), `R#${pad(revision)}`);
    if (!item || item.deleted || item.type === 'Directory' || !item.hash) return undefined;
    return this.blobs.getBlob(this.blobKey(tenantId, namespace, item.hash));
  }

  async stat(tenantId: string, namespace: string, path: string): Promise<NamespaceFileMeta | undefined> {
    if (path === '/') return ROOT;
    const item = await this.current(tenantId, namespace, path);
    return item && !item.deleted ? toMeta(item) : undefined;
  }

  async list(tenantId: string, namespace: string, prefix = '/'): Promise<readonly NamespaceFileMeta[]> {
    const dir = prefix === '/' ? '/' : `${prefix.replace(/\/+$/, '')}/`;
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': keys.nsFiles(tenantId, namespace), ':p': `P#${dir}` },
      ConsistentRead: true,
    });
    return items
      .map((i) => i as unknown as FileItem)
      .filter((i) => !i.deleted)
      .map(toMeta)
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async put(
    tenantId: string,
    namespace: string,
    path: string,
    content: Uint8Array,
    now: Date,
  ): Promise<{ meta: NamespaceFileMeta; changed: boolean }> {
    const hash = sha256(content);
    const current = await this.current(tenantId, namespace, path);
    if (current && !current.deleted && current.type === 'File' && current.hash === hash) {
      return { meta: toMeta(current), changed: false };
    }
    await this.blobs.putBlob(this.blobKey(tenantId, namespace, hash), content);
    const item: FileItem = {
      path,
      type: 'File',
      size: content.byteLength,
      revision: (current?.type === 'File' ? current.revision : 0) + 1,
      created: current?.type === 'File' && !current.deleted ? (current.created ?? current.updated) : now.toISOString(),
      updated: now.toISOString(),
      hash,
    };
    await this.writeRevision(tenantId, namespace, item, current?.type === 'File' ? current.revision : undefined);
    await this.ensureParents(tenantId, namespace, path, now);
    return { meta: toMeta(item), changed: true };
  }

  async mkdir(tenantId: string, namespace: string, path: string, now: Date): Promise<void> {
    const dir = path.replace(/\/+$/, '');
    if (dir === '') return;
    const existing = await this.current(tenantId, namespace, dir);
    if (existing && !existing.deleted && existing.type === 'File') {
      throw new AlreadyExistsError('Namespace file', `${namespace}:${dir}`);
    }
    await this.ensureParents(tenantId, namespace, `${dir}/x`, now);
  }

  async delete(tenantId: string, namespace: string, path: string, now: Date): Promise<readonly string[]> {
    const target = await this.current(tenantId, namespace, path);
    if (!target || target.deleted) return [];
    const victims = [target, ...(await this.list(tenantId, namespace, path)).map((m) => m as FileItem)];
    const deleted: string[] = [];
    for (const v of victims) {
      const cur = v === target ? target : await this.current(tenantId, namespace, v.path);
      if (!cur || cur.deleted) continue;
      if (cur.type === 'Directory') {
        await this.doc.send(
          new PutCommand({ TableName: this.table, Item: { ...this.currentKey(tenantId, namespace, cur.path), ...cur, deleted: true, updated: now.toISOString() } }),
        );
      } else {
        await this.writeRevision(
          tenantId,
          namespace,
          { path: cur.path, type: 'File', size: 0, revision: cur.revision + 1, ...(cur.created ? { created: cur.created } : {}), updated: now.toISOString(), deleted: true },
          cur.revision,
        );
      }
      deleted.push(cur.path);
    }
    return deleted.sort();
  }

  async revisions(tenantId: string, namespace: string, path: string): Promise<readonly NamespaceFileMeta[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.nsFileRevisions(tenantId, namespace, path) },
      ConsistentRead: true,
    });
    return items.map((i) => toMeta(i as unknown as FileItem));
  }

  private blobKey(tenantId: string, namespace: string, hash: string): string {
    return `namespace-files/${tenantId}/${namespace}/${hash}`;
  }

  private currentKey(tenantId: string, namespace: string, path: string) {
    return { pk: keys.nsFiles(tenantId, namespace), sk: `P#${path}` };
  }

  private async current(tenantId: string, namespace: string, path: string): Promise<FileItem | undefined> {
    return this.item(keys.nsFiles(tenantId, namespace), `P#${path}`);
  }

  private async item(pk: string, sk: string): Promise<FileItem | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true }));
    return out.Item as FileItem | undefined;
  }

  private async writeRevision(tenantId: string, namespace: string, item: FileItem, expected: number | undefined): Promise<void> {
    await withVersionCheck('Namespace file', `${namespace}:${item.path}`, expected, () =>
      this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...this.currentKey(tenantId, namespace, item.path), ...item },
                ConditionExpression: expected === undefined ? 'attribute_not_exists(pk) OR #t = :dir' : 'revision = :expected',
                ...(expected === undefined
                  ? { ExpressionAttributeNames: { '#t': 'type' }, ExpressionAttributeValues: { ':dir': 'Directory' } }
                  : { ExpressionAttributeValues: { ':expected': expected } }),
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: { pk: keys.nsFileRevisions(tenantId, namespace, item.path), sk: `R#${pad(item.revision)}`, ...item },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      ),
    );
  }

  /** Live directory items for every parent of `path` (Kestra shows intermediate folders). */
  private async ensureParents(tenantId: string, namespace: string, path: string, now: Date): Promise<void> {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = `/${parts.slice(0, i).join('/')}`;
      const existing = await this.current(tenantId, namespace, dir);
      if (existing && !existing.deleted) continue;
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...this.currentKey(tenantId, namespace, dir),
            path: dir,
            type: 'Directory',
            size: 0,
            revision: 0,
            created: now.toISOString(),
            updated: now.toISOString(),
          },
        }),
      );
    }
  }
}

function toMeta(i: FileItem): NamespaceFileMeta {
  return {
    path: i.path,
    type: i.type,
    size: Number(i.size),
    revision: Number(i.revision),
    ...(i.created ? { created: i.created } : {}),
    updated: i.updated,
    ...(i.deleted ? { deleted: true } : {}),
  };
}
