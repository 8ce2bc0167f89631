import type { LogEntry, LogLevel, SecretMasker, TaskLogger, TaskRun } from '@windhover/core';
import { LOG_LEVELS } from '@windhover/core';

const rank = (l: LogLevel): number => LOG_LEVELS.indexOf(l);

/**
 * A task run's logger: masks secrets, drops lines below the task's
 * `logLevel`, buffers entries until `flush` writes them to the repository.
 */
export class BufferedTaskLogger implements TaskLogger {
  readonly #entries: LogEntry[] = [];

  constructor(
    private readonly base: { tenantId: string; run: TaskRun; attempt: number },
    private readonly masker: SecretMasker,
    private readonly now: () => Date,
    private readonly minLevel: LogLevel = 'TRACE',
  ) {}

  log(level: LogLevel, message: string): void {
    if (rank(level) < rank(this.minLevel)) return;
    const r = this.base.run;
    this.#entries.push({
      tenantId: this.base.tenantId,
      namespace: r.namespace,
      flowId: r.flowId,
      taskId: r.taskId,
      executionId: r.executionId,
      taskRunId: r.id,
      attemptNumber: this.base.attempt,
      timestamp: this.now().toISOString(),
      level,
      message: this.masker.mask(message),
    });
  }

  trace(message: string): void {
    this.log('TRACE', message);
  }
  debug(message: string): void {
    this.log('DEBUG', message);
  }
  info(message: string): void {
    this.log('INFO', message);
  }
  warn(message: string): void {
    this.log('WARN', message);
  }
  error(message: string): void {
    this.log('ERROR', message);
  }

  /** Takes the buffered entries (masking again: secrets revealed later in the run are masked too). */
  drain(): LogEntry[] {
    const out = this.#entries.splice(0).map((e) => ({ ...e, message: this.masker.mask(e.message) }));
    return out;
  }
}
