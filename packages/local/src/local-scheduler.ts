import type { Clock, Logger } from '@windhover/core';

export interface LocalSchedulerOptions {
  /** Tick period (default one minute, the AWS edition's EventBridge rate). */
  readonly periodMs?: number;
  /** Delay after each boundary (default 0). */
  readonly offsetMs?: number;
}

/**
 * The local edition's scheduler clock: calls `tick` at every period
 * boundary (aligned on the minute by default), never twice at once. A tick
 * that is still running when the next boundary comes delays that one; the
 * scheduler itself recovers missed slots, so a skipped boundary loses
 * nothing.
 */
export class LocalScheduler {
  readonly #period: number;
  readonly #offset: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(
    private readonly tick: (now: Date) => Promise<unknown>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: LocalSchedulerOptions = {},
  ) {
    this.#period = options.periodMs ?? 60_000;
    this.#offset = options.offsetMs ?? 0;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#arm();
  }

  /** Stops the loop and waits for a tick in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Milliseconds from `now` to the next boundary. */
  delayUntilNext(now: Date): number {
    const t = now.getTime() - this.#offset;
    return Math.floor(t / this.#period) * this.#period + this.#period - t;
  }

  #arm(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#run();
    }, this.delayUntilNext(this.clock.now()));
    this.#timer.unref?.();
  }

  async #run(): Promise<void> {
    try {
      await this.tick(this.clock.now());
    } catch (error) {
      this.logger.error('scheduler tick failed', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      this.#running = undefined;
      this.#arm();
    }
  }
}
