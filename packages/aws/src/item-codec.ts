import { gunzipSync, gzipSync } from 'node:zlib';
import type { JsonValue } from '@windhover/core';
import { sha256 } from './dynamo-keys';

/** Where item bodies too large for DynamoDB go (S3 in production). Keys are content-addressed. */
export interface BlobStore {
  putBlob(key: string, data: Uint8Array): Promise<void>;
  getBlob(key: string): Promise<Uint8Array>;
}

/** A body as stored in an item: inline JSON, gzipped JSON, or a pointer to a blob. */
export type EncodedBody = { readonly j: string } | { readonly z: Uint8Array } | { readonly o: string };

/** Bodies above this are gzipped: JSON shrinks 3-10x, and write units are billed per KB. */
const GZIP_ABOVE = 512;
/** Gzipped bodies above this go to the blob store; keeps every item far below 400 KB. */
const INLINE_MAX = 300_000;

/**
 * Encodes JSON bodies so that an item never exceeds DynamoDB's 400 KB limit,
 * whatever the size of the value. `blobPrefix` scopes overflow blobs (they
 * are content-addressed, so a retried write stores the same key).
 */
export class ItemCodec {
  constructor(private readonly blobs?: BlobStore) {}

  async encode(value: unknown, blobPrefix: string): Promise<EncodedBody> {
    const json = JSON.stringify(value);
    if (json.length <= GZIP_ABOVE) return { j: json };
    const z = gzipSync(json);
    if (z.byteLength <= INLINE_MAX) return { z };
    if (!this.blobs) throw new Error(`item body of ${z.byteLength} bytes needs a blob store`);
    const key = `${blobPrefix}/${sha256(z)}.json.gz`;
    await this.blobs.putBlob(key, z);
    return { o: key };
  }

  async decode<T = JsonValue>(item: Record<string, unknown>): Promise<T> {
    if (typeof item.j === 'string') return JSON.parse(item.j) as T;
    if (item.z instanceof Uint8Array) return JSON.parse(gunzipSync(item.z).toString('utf8')) as T;
    if (typeof item.o === 'string') {
      if (!this.blobs) throw new Error('item body stored as a blob but no blob store configured');
      return JSON.parse(gunzipSync(await this.blobs.getBlob(item.o)).toString('utf8')) as T;
    }
    throw new Error('item has no body');
  }
}

/** Attribute names used by the codec; removed from the item when another form is written. */
export const BODY_ATTRIBUTES = ['j', 'z', 'o'] as const;
