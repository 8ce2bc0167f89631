import type { Logger } from '@windhover/core';

type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Writes one JSON object per line: a constant message plus attributes. */
export class ConsoleJsonLogger implements Logger {
  constructor(
    private readonly options: {
      readonly level?: Level;
      readonly write?: (line: string) => void;
      readonly attributes?: Readonly<Record<string, unknown>>;
    } = {},
  ) {}

  private emit(level: Level, message: string, attributes?: Readonly<Record<string, unknown>>): void {
    if (RANK[level] < RANK[this.options.level ?? 'info']) return;
    const record = { timestamp: new Date().toISOString(), level: level.toUpperCase(), message, ...this.options.attributes, ...attributes };
    const line = JSON.stringify(record, (_k, v: unknown) =>
      v instanceof Error ? { name: v.name, message: v.message, stack: v.stack, ...(v.cause ? { cause: String(v.cause) } : {}) } : v,
    );
    (this.options.write ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
  }

  debug(message: string, attributes?: Readonly<Record<string, unknown>>): void {
    this.emit('debug', message, attributes);
  }
  info(message: string, attributes?: Readonly<Record<string, unknown>>): void {
    this.emit('info', message, attributes);
  }
  warn(message: string, attributes?: Readonly<Record<string, unknown>>): void {
    this.emit('warn', message, attributes);
  }
  error(message: string, attributes?: Readonly<Record<string, unknown>>): void {
    this.emit('error', message, attributes);
  }
}
