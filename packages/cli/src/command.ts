/** A CLI command: `windhover <name...> [args]`. Output goes through `io` so tests can capture it. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  /** Words that select the command, e.g. ['flow', 'validate']. */
  readonly name: readonly string[];
  readonly summary: string;
  readonly usage: string;
  /** Returns the process exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}
