import { BadRequestError } from '../errors';

/** Longest accepted KV key. */
export const MAX_KV_KEY_LENGTH = 255;

/** Kestra's KV key pattern: an ASCII letter or digit, then letters, digits, `.`, `_` or `-`. */
const KV_KEY = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/** Throws a BadRequestError naming the problem when `key` is not a valid KV key. */
export function assertValidKvKey(key: string): string {
  if (typeof key !== 'string' || key === '') throw new BadRequestError('KV key is required');
  if (key.length > MAX_KV_KEY_LENGTH) {
    throw new BadRequestError(`Invalid KV key: longer than ${MAX_KV_KEY_LENGTH} characters`);
  }
  if (!KV_KEY.test(key)) {
    throw new BadRequestError(
      `Invalid KV key ${JSON.stringify(key.slice(0, 80))}: it must start with a letter or digit and contain only letters, digits, '.', '_' or '-'`,
    );
  }
  return key;
}
