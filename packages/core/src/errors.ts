/**
 * One base error with a stable `code`. Branch on `code` across boundaries,
 * never on `instanceof` (bundles may duplicate classes).
 */
export class WindhoverError extends Error {
  override readonly name: string = 'WindhoverError';
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions & { details?: Readonly<Record<string, unknown>> },
  ) {
    super(message, options);
    this.details = options?.details;
  }
  readonly details: Readonly<Record<string, unknown>> | undefined;

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export const isWindhoverError = (e: unknown): e is WindhoverError =>
  e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && 'toJSON' in e;

export class NotFoundError extends WindhoverError {
  override readonly name = 'NotFoundError';
  constructor(what: string, id: string, options?: ErrorOptions) {
    super('NOT_FOUND', `${what} '${id}' not found`, { ...options, details: { what, id } });
  }
}

export class FlowNotFoundError extends WindhoverError {
  override readonly name = 'FlowNotFoundError';
  constructor(namespace: string, id: string, revision?: number) {
    super('NOT_FOUND', `Flow '${namespace}.${id}'${revision ? ` revision ${revision}` : ''} not found`, {
      details: { namespace, id, revision },
    });
  }
}

export class ExecutionNotFoundError extends WindhoverError {
  override readonly name = 'ExecutionNotFoundError';
  constructor(executionId: string) {
    super('NOT_FOUND', `Execution '${executionId}' not found`, { details: { executionId } });
  }
}

/** Optimistic-lock failure: the stored version moved on. Adapters translate vendor errors into this. */
export class VersionConflictError extends WindhoverError {
  override readonly name = 'VersionConflictError';
  constructor(what: string, id: string, expected: number | undefined, options?: ErrorOptions) {
    super('VERSION_CONFLICT', `${what} '${id}' was modified concurrently (expected version ${expected ?? 'none'})`, {
      ...options,
      details: { what, id, expected },
    });
  }
}

/** An item that must not exist already does (conditional create). */
export class AlreadyExistsError extends WindhoverError {
  override readonly name = 'AlreadyExistsError';
  constructor(what: string, id: string, options?: ErrorOptions) {
    super('ALREADY_EXISTS', `${what} '${id}' already exists`, { ...options, details: { what, id } });
  }
}

/** A user-supplied value is invalid (HTTP 422 unless the caller says otherwise). */
export class ValidationError extends WindhoverError {
  override readonly name = 'ValidationError';
  constructor(
    message: string,
    readonly violations: readonly Violation[] = [],
    options?: ErrorOptions,
  ) {
    super('INVALID', message, { ...options, details: { violations } });
  }
}

/** Bad request shape (HTTP 400): malformed path, body or parameter. */
export class BadRequestError extends WindhoverError {
  override readonly name = 'BadRequestError';
  constructor(message: string, options?: ErrorOptions) {
    super('BAD_REQUEST', message, options);
  }
}

/** A state transition that the current state does not allow (HTTP 409). */
export class IllegalStateError extends WindhoverError {
  override readonly name = 'IllegalStateError';
  constructor(message: string, options?: ErrorOptions) {
    super('ILLEGAL_STATE', message, options);
  }
}

/** One problem found in user input, located as precisely as we can. */
export interface Violation {
  readonly message: string;
  /** Property path, e.g. `tasks[0].type` (Kestra's style). */
  readonly path?: string;
  readonly line?: number;
  readonly column?: number;
  readonly file?: string;
}
