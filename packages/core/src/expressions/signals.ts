import type { Pos } from './ast';

/** Internal signal: a variable or attribute does not exist (strict variables). */
export class UndefinedSignal extends Error {
  constructor(
    readonly variable: string,
    readonly pos?: Pos,
  ) {
    super(`Unable to find \`${variable}\``);
  }
}

/** Internal signal: an async port was called; the render awaits it and replays. */
export class Suspend {
  constructor(readonly promise: Promise<unknown>) {}
}

/** A failure inside a filter/function/operator; converted to ExpressionError with the location. */
export class EvalFailure extends Error {}
