import { WindhoverError } from '../errors';

/** Where in a template an error happened (1-based line and column). */
export interface ExpressionPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Any failure while compiling or rendering a template: a syntax error, an undefined
 * variable (strict mode), a failing filter or function, a limit reached.
 * The message follows Kestra's wording where Kestra has one, e.g.
 * "Unable to find `nme` used in the expression `{{ inputs.nme }}` at line 1".
 */
export class ExpressionError extends WindhoverError {
  override readonly name = 'ExpressionError';
  constructor(
    message: string,
    readonly expression: string,
    readonly position: ExpressionPosition | undefined,
    options?: ErrorOptions,
  ) {
    super('EXPRESSION_ERROR', message, {
      ...options,
      details: { expression, ...(position ? { line: position.line, column: position.column } : {}) },
    });
  }
}

export const isExpressionError = (e: unknown): e is ExpressionError =>
  e instanceof Error && (e as { code?: unknown }).code === 'EXPRESSION_ERROR';
