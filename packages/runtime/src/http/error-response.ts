import type { Logger, Violation } from '@windhover/core';
import { isWindhoverError } from '@windhover/core';
import type { ApiResponse } from './http-types';

/** HTTP status per error code: the one place that maps errors to HTTP. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  NOT_FOUND: 404,
  INVALID: 422,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ILLEGAL_STATE: 409,
  VERSION_CONFLICT: 409,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
};

export const statusForCode = (code: string): number => STATUS_BY_CODE[code] ?? 500;

/**
 * Kestra (Micronaut) error body: `{message, _links.self, _embedded.errors[]}`;
 * validation errors list each problem with its property path.
 */
export function errorBody(message: string, path: string, errors: readonly { message: string; path?: string }[] = []): Record<string, unknown> {
  return {
    message,
    _links: { self: { href: path, templated: false } },
    _embedded: { errors: errors.length > 0 ? errors : [{ message, _links: {}, _embedded: {} }] },
  };
}

/** Turns anything thrown by a route into Kestra's error response; unknown errors are logged and hidden. */
export function toErrorResponse(error: unknown, requestPath: string, logger: Logger): ApiResponse {
  if (isWindhoverError(error)) {
    const status = statusForCode(error.code);
    if (status !== 500) {
      const violations = (error.details?.['violations'] as readonly Violation[] | undefined) ?? [];
      const errors = violations.map((v) => ({
        message: v.path ? `${v.path}: ${v.message}` : v.message,
        ...(v.path !== undefined ? { path: v.path } : {}),
        ...(v.line !== undefined ? { line: v.line, column: v.column } : {}),
      }));
      const message = status === 422 && errors.length > 0 ? `Invalid entity: ${errors.map((e) => e.message).join(', ')}` : error.message;
      return { status, headers: { 'content-type': 'application/json' }, body: errorBody(message, requestPath, errors) };
    }
  }
  logger.error('request failed', { path: requestPath, error });
  return {
    status: 500,
    headers: { 'content-type': 'application/json' },
    body: errorBody('Internal Server Error', requestPath),
  };
}
