import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BadRequestError, type InternalStorage, NotFoundError } from '@windhover/core';
import type { BlobStore } from './item-codec';

const SCHEME = 'kestra://';
/** Above this, uploads go multipart (5 MB parts, 4 in flight). */
const MULTIPART_ABOVE = 8 * 1024 * 1024;

const isNotFound = (e: unknown): boolean => {
  const name = (e as { name?: string })?.name;
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
};

/**
 * Kestra's internal storage in S3: `kestra:///a/b/c` is the object `{prefix}a/b/c`.
 * Large bodies use multipart uploads; presigned URLs let clients move files
 * beyond API Gateway's payload limit directly to and from S3.
 */
export class S3InternalStorage implements InternalStorage, BlobStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix = 'storage/',
  ) {}

  /** The object key of a `kestra:///…` URI (or a bare absolute path); rejects unclean paths. */
  keyOf(uri: string): string {
    const path = uri.startsWith(SCHEME) ? uri.slice(SCHEME.length) : uri;
    if (!path.startsWith('/') || path.includes('//') || path.includes('\\') || path.includes('\0')) {
      throw new BadRequestError(`Invalid storage path '${uri}'`);
    }
    const segments = path.slice(1).split('/');
    if (segments.some((s) => s === '.' || s === '..')) throw new BadRequestError(`Invalid storage path '${uri}'`);
    return this.prefix + path.slice(1);
  }

  private uriOf(key: string): string {
    return `${SCHEME}/${key.slice(this.prefix.length)}`;
  }

  async put(uri: string, data: Uint8Array): Promise<void> {
    const Key = this.keyOf(uri);
    if (data.byteLength > MULTIPART_ABOVE) {
      await new Upload({
        client: this.s3,
        params: { Bucket: this.bucket, Key, Body: data },
        partSize: 5 * 1024 * 1024,
        queueSize: 4,
      }).done();
      return;
    }
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: data, ContentLength: data.byteLength }));
  }

  async get(uri: string): Promise<Uint8Array> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(uri) }));
      if (!out.Body) return new Uint8Array();
      return await out.Body.transformToByteArray();
    } catch (e) {
      if (isNotFound(e)) throw new NotFoundError('File', uri, { cause: e });
      throw e;
    }
  }

  async exists(uri: string): Promise<boolean> {
    return (await this.head(uri)) !== undefined;
  }

  async size(uri: string): Promise<number> {
    const size = await this.head(uri);
    if (size === undefined) throw new NotFoundError('File', uri);
    return size;
  }

  private async head(uri: string): Promise<number | undefined> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(uri) }));
      return out.ContentLength ?? 0;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async delete(uri: string): Promise<boolean> {
    if (!(await this.exists(uri))) return false;
    await this.deleteKeys([this.keyOf(uri)]);
    return true;
  }

  async list(prefix: string): Promise<readonly string[]> {
    return (await this.listKeys(this.dirKey(prefix))).map((k) => this.uriOf(k));
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.listKeys(this.dirKey(prefix));
    await this.deleteKeys(keys);
    return keys.length;
  }

  /** A GET URL valid for `expiresInSeconds`, for downloads larger than an API response may carry. */
  async presignGet(uri: string, expiresInSeconds = 900): Promise<string> {
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(uri) }), {
      expiresIn: expiresInSeconds,
    });
  }

  /** A PUT URL valid for `expiresInSeconds`, for uploads beyond API Gateway's 10 MB payload limit. */
  async presignPut(uri: string, expiresInSeconds = 900): Promise<string> {
    return getSignedUrl(this.s3, new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(uri) }), {
      expiresIn: expiresInSeconds,
    });
  }

  // BlobStore: raw keys outside the `kestra://` space, for DynamoDB item overflow.
  async putBlob(key: string, data: Uint8Array): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: data, ContentLength: data.byteLength }));
  }

  async getBlob(key: string): Promise<Uint8Array> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
  }

  async deleteBlobs(prefix: string): Promise<number> {
    const keys = await this.listKeys(prefix);
    await this.deleteKeys(keys);
    return keys.length;
  }

  private dirKey(prefix: string): string {
    const key = this.keyOf(prefix === '/' || prefix === `${SCHEME}/` ? '/' : prefix);
    return key === this.prefix || key.endsWith('/') ? key : `${key}/`;
  }

  private async listKeys(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key) out.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  private async deleteKeys(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
  }
}
