import { type RunContext, type TaskDefinition, TaskFailure } from '@windhover/core';

/**
 * Typed, rendered access to a task's properties. Every Kestra `Property<T>`
 * accepts Pebble expressions, so each value is rendered before it is narrowed.
 */
export class TaskProperties {
  constructor(
    readonly task: TaskDefinition,
    readonly ctx: RunContext,
  ) {}

  has(name: string): boolean {
    return this.task[name] !== undefined && this.task[name] !== null;
  }

  async string(name: string): Promise<string | undefined>;
  async string(name: string, fallback: string): Promise<string>;
  async string(name: string, fallback?: string): Promise<string | undefined> {
    const raw = this.task[name];
    if (raw === undefined || raw === null) return fallback;
    const s = await this.ctx.renderString(raw);
    return s === '' && fallback !== undefined ? fallback : s;
  }

  async required(name: string): Promise<string> {
    const v = await this.string(name);
    if (v === undefined || v.trim() === '') throw TaskFailure.nonRetryable(`Property '${name}' of task '${this.task.id}' is required`);
    return v;
  }

  async bool(name: string, fallback: boolean): Promise<boolean> {
    const raw = this.task[name];
    if (raw === undefined || raw === null) return fallback;
    if (typeof raw === 'boolean') return raw;
    const s = (await this.ctx.renderString(raw)).trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
    throw TaskFailure.nonRetryable(`Property '${name}' of task '${this.task.id}' must be a boolean, got '${s}'`);
  }

  async int(name: string, fallback: number): Promise<number>;
  async int(name: string, fallback?: number): Promise<number | undefined>;
  async int(name: string, fallback?: number): Promise<number | undefined> {
    const raw = this.task[name];
    if (raw === undefined || raw === null) return fallback;
    if (typeof raw === 'number') return raw;
    const n = Number((await this.ctx.renderString(raw)).trim());
    if (!Number.isInteger(n)) throw TaskFailure.nonRetryable(`Property '${name}' of task '${this.task.id}' must be an integer`);
    return n;
  }

  async enumValue<T extends string>(name: string, allowed: readonly T[], fallback: T): Promise<T> {
    const v = (await this.string(name))?.trim().toUpperCase();
    if (v === undefined || v === '') return fallback;
    if (!(allowed as readonly string[]).includes(v)) {
      throw TaskFailure.nonRetryable(`Property '${name}' of task '${this.task.id}' must be one of ${allowed.join(', ')}, got '${v}'`);
    }
    return v as T;
  }

  /** A string or a list of strings; a string holding a JSON array is accepted too (as Kestra). */
  async stringList(name: string): Promise<string[] | undefined> {
    const raw = this.task[name];
    if (raw === undefined || raw === null) return undefined;
    if (Array.isArray(raw)) {
      const out: string[] = [];
      for (const item of raw) out.push(await this.ctx.renderString(item));
      return out;
    }
    const s = (await this.ctx.renderString(raw)).trim();
    if (s.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(s);
        if (Array.isArray(parsed)) return parsed.map((x) => String(x));
      } catch {
        // not JSON: a single glob that happens to start with '['
      }
    }
    return [s];
  }

  async map(name: string): Promise<Record<string, unknown> | undefined> {
    const raw = this.task[name];
    if (raw === undefined || raw === null) return undefined;
    const rendered = await this.ctx.render(raw);
    if (typeof rendered !== 'object' || rendered === null || Array.isArray(rendered)) {
      throw TaskFailure.nonRetryable(`Property '${name}' of task '${this.task.id}' must be a map`);
    }
    return rendered as Record<string, unknown>;
  }
}
