import { WindhoverError } from '@windhover/core';

/** HTTP-level failures that have no domain meaning (auth, method, media type, size). */
export class HttpError extends WindhoverError {
  override readonly name = 'HttpError';
  constructor(code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'METHOD_NOT_ALLOWED' | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE', message: string) {
    super(code, message);
  }
}
