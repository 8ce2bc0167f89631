import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from 'node:zlib';
import type { JsonValue } from '@windhover/core';
import { sha256 } from './dynamo-keys';

/** Where item bodies too large for DynamoDB go (S3 in production). Keys are content-addressed. */
export interface BlobStore {
  putBlob(key: string, data: Uint8Array): Promise<void>;
  getBlob(key: string): Promise<Uint8Array>;
}

/**
 * A body as stored in an item: inline JSON, Brotli-compressed JSON (`b`),
 * gzipped JSON (`z`, written by earlier versions, still read), or a pointer
 * to a compressed blob (`o`, gzip; `ob`, Brotli).
 */
export type EncodedBody =
  | { readonly j: string }
  | { readonly b: Uint8Array }
  | { readonly z: Uint8Array }
  | { readonly o: string }
  | { readonly ob: string };

/** Bodies above this are compressed: JSON shrinks 3-10x, and write units are billed per KB. */
const COMPRESS_ABOVE = 512;
/** Compressed bodies above this go to the blob store; keeps every item far below 400 KB. */
const INLINE_MAX = 300_000;
/**
 * Brotli at quality 5: about gzip's speed with 10-15% smaller output on
 * execution JSON (a typical two-task-run execution then fits one write unit).
 */
const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } };

const compress = (json: string): Buffer => brotliCompressSync(json, BROTLI);

/**
 * Encodes JSON bodies so that an item never exceeds DynamoDB's 400 KB limit,
 * whatever the size of the value. `blobPrefix` scopes overflow blobs (they
 * are content-addressed, so a retried write stores the same key).
 */
export class ItemCodec {
  constructor(private readonly blobs?: BlobStore) {}

  async encode(value: unknown, blobPrefix: string): Promise<EncodedBody> {
    const json = JSON.stringify(value);
    if (json.length <= COMPRESS_ABOVE) return { j: json };
    const b = compress(json);
    if (b.byteLength <= INLINE_MAX) return { b };
    if (!this.blobs) throw new Error(`item body of ${b.byteLength} bytes needs a blob store`);
    const key = `${blobPrefix}/${sha256(b)}.json.br`;
    await this.blobs.putBlob(key, b);
    return { ob: key };
  }

  async decode<T = JsonValue>(item: Record<string, unknown>): Promise<T> {
    if (typeof item.j === 'string') return JSON.parse(item.j) as T;
    if (item.b instanceof Uint8Array) return JSON.parse(brotliDecompressSync(item.b).toString('utf8')) as T;
    if (item.z instanceof Uint8Array) return JSON.parse(gunzipSync(item.z).toString('utf8')) as T;
    const blob = typeof item.ob === 'string' ? item.ob : typeof item.o === 'string' ? item.o : undefined;
    if (blob !== undefined) {
      if (!this.blobs) throw new Error('item body stored as a blob but no blob store configured');
      const data = await this.blobs.getBlob(blob);
      return JSON.parse((typeof item.ob === 'string' ? brotliDecompressSync(data) : gunzipSync(data)).toString('utf8')) as T;
    }
    throw new Error('item has no body');
  }
}

/** Attribute names used by the codec; removed from the item when another form is written. */
export const BODY_ATTRIBUTES = ['j', 'b', 'z', 'o', 'ob'] as const;
