import type { JsonValue } from '../model/json';

/** A task failure as data: retries read `retryable`, never the class. */
export class TaskFailure extends Error {
  override readonly name = 'TaskFailure';
  constructor(
    message: string,
    readonly retryable: boolean = true,
    readonly outputs?: Readonly<Record<string, JsonValue>>,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  static nonRetryable(message: string, outputs?: Readonly<Record<string, JsonValue>>): TaskFailure {
    return new TaskFailure(message, false, outputs);
  }
}

/** Converts anything thrown by a task into a TaskFailure (run at the worker edge). */
export function toTaskFailure(e: unknown): TaskFailure {
  if (e instanceof TaskFailure) return e;
  if (e instanceof Error) return new TaskFailure(e.message, true, undefined, { cause: e });
  return new TaskFailure(String(e), true);
}
