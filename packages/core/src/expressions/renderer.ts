import type { Template } from './ast';
import { Evaluation, type FilterDef, type PortRecord, type Registry, Suspend } from './evaluator';
import { ExpressionError, isExpressionError } from './expression-error';
import { DATE_FILTERS } from './date-filters';
import { CORE_FILTERS } from './filters-core';
import { KESTRA_FILTERS } from './filters-kestra';
import { FUNCTIONS } from './functions';
import { parseTemplate } from './parser';
import type { RenderOptions } from './render-options';
import { TESTS } from './tests';
import { printValue, toPlain } from './values';

/** The variables a template sees (§7.2): flow, execution, inputs, outputs, vars, ... as plain data. */
export type ExpressionContext = Readonly<Record<string, unknown>>;

/** A parsed template, cached by source string. */
export interface CompiledTemplate {
  readonly source: string;
  /** True when the source has no Pebble syntax: it renders to itself. */
  readonly constant: boolean;
  /** True when the source is exactly one `{{ expr }}` (typed rendering keeps the native value). */
  readonly singleExpression: boolean;
}

const CACHE_CAPACITY = 5000;
/** Sources longer than this are compiled but not cached, so one huge template cannot evict the rest. */
const MAX_CACHED_SOURCE = 100_000;
interface CacheEntry {
  readonly template: Template;
  touched: number;
}
const cache = new Map<string, CacheEntry>();
let clock = 0;

function compileTemplate(source: string): Template {
  const hit = cache.get(source);
  if (hit) {
    // LRU: move the hit to the young end of the insertion order, at most once per CACHE_CAPACITY/4
    // lookups so the hot path of a hot template stays a plain map read.
    if (++clock - hit.touched > CACHE_CAPACITY >> 2) {
      hit.touched = clock;
      cache.delete(source);
      cache.set(source, hit);
    }
    return hit.template;
  }
  const t = parseTemplate(source);
  if (source.length <= MAX_CACHED_SOURCE) {
    if (cache.size >= CACHE_CAPACITY) {
      // Evict the least recently used quarter.
      let n = CACHE_CAPACITY >> 2;
      for (const k of cache.keys()) {
        cache.delete(k);
        if (--n <= 0) break;
      }
    }
    cache.set(source, { template: t, touched: ++clock });
  }
  return t;
}

/** Number of cached templates (for tests: the cache is bounded). */
export function templateCacheSize(): number {
  return cache.size;
}

const FILTERS = new Map<string, FilterDef>([...CORE_FILTERS, ...KESTRA_FILTERS, ...DATE_FILTERS]);
// The docs spell it numberFormat, Pebble numberformat: register both.
FILTERS.set('numberFormat', FILTERS.get('numberformat') as FilterDef);

const REGISTRY: Registry = { filters: FILTERS, functions: FUNCTIONS, tests: TESTS, compile: compileTemplate };

/** True when `s` contains Pebble syntax (`{{`, `{%` or `{#`); other strings render to themselves. */
export function isTemplate(s: string): boolean {
  return s.includes('{{') || s.includes('{%') || s.includes('{#');
}

/** Parses (and caches) a template; throws ExpressionError on a syntax error. */
export function compile(source: string): CompiledTemplate {
  const t = compileTemplate(source);
  return { source, constant: t.constant !== undefined, singleExpression: t.single !== undefined };
}

function unexpected(e: unknown, source: string): ExpressionError {
  if (isExpressionError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ExpressionError(`${message} (in the expression \`${source}\`)`, source, undefined, { cause: e });
}

/**
 * Runs `f` with a fresh evaluation. A render that calls no async port completes synchronously (one
 * resolved promise, no await); otherwise each port call is awaited and the render replayed.
 */
function runAsync<T>(template: Template, context: ExpressionContext, options: RenderOptions, f: (ev: Evaluation) => T): Promise<T> {
  const log: PortRecord[] = [];
  try {
    return Promise.resolve(f(new Evaluation(context, options, REGISTRY, log, template, false)));
  } catch (e) {
    if (e instanceof Suspend) return resume(e, log, template, context, options, f);
    return Promise.reject(unexpected(e, template.source));
  }
}

async function resume<T>(
  first: Suspend,
  log: PortRecord[],
  template: Template,
  context: ExpressionContext,
  options: RenderOptions,
  f: (ev: Evaluation) => T,
): Promise<T> {
  let pending = first;
  for (;;) {
    await pending.promise;
    try {
      return f(new Evaluation(context, options, REGISTRY, log, template, false));
    } catch (e) {
      if (!(e instanceof Suspend)) throw unexpected(e, template.source);
      pending = e;
    }
  }
}

function runSync<T>(template: Template, context: ExpressionContext, options: RenderOptions, f: (ev: Evaluation) => T): T {
  try {
    return f(new Evaluation(context, options, REGISTRY, [], template, true));
  } catch (e) {
    if (e instanceof Suspend) {
      e.promise.catch(() => undefined);
      throw new ExpressionError(`The expression needs asynchronous data and cannot be rendered synchronously (\`${template.source}\`)`, template.source, undefined);
    }
    throw unexpected(e, template.source);
  }
}

function stringify(ev: Evaluation, t: Template, options: RenderOptions): string {
  let out = ev.renderTemplate(t);
  if (options.recursive) {
    for (let i = 0; i < 100 && isTemplate(out); i++) {
      const next = ev.renderTemplate(compileTemplate(out));
      if (next === out) break;
      out = next;
    }
  }
  return out;
}

/**
 * Renders `template` to a string (stringify mode, §7.1): maps and lists print as JSON, null as ''.
 * Functions that read data (secret, kv, read, ...) call the ports in `options.functions`.
 *
 * @example
 * await render('Hello {{ inputs.name | upper }}', { inputs: { name: 'world' } }); // 'Hello WORLD'
 */
export function render(template: string, context: ExpressionContext, options: RenderOptions = {}): Promise<string> {
  if (!template.includes('{')) return Promise.resolve(template);
  let t: Template;
  try {
    t = compileTemplate(template);
  } catch (e) {
    return Promise.reject(unexpected(e, template));
  }
  if (t.constant !== undefined) return Promise.resolve(t.constant);
  return runAsync(t, context, options, (ev) => stringify(ev, t, options));
}

/**
 * Synchronous render for pure contexts (the executor's decisions): functions that read data
 * (secret, kv, read, fileSize, ...) and a not-yet-loaded jq raise an ExpressionError.
 */
export function renderSync(template: string, context: ExpressionContext, options: RenderOptions = {}): string {
  if (!template.includes('{')) return template;
  let t: Template;
  try {
    t = compileTemplate(template);
  } catch (e) {
    throw unexpected(e, template);
  }
  if (t.constant !== undefined) return t.constant;
  return runSync(t, context, options, (ev) => stringify(ev, t, options));
}

function typedString(ev: Evaluation, t: Template, options: RenderOptions): unknown {
  if (t.single) {
    const v = ev.evaluateSingle(t, t.single, t.source);
    return typeof v === 'string' && options.recursive ? stringify(ev, compileTemplate(v), options) : toPlain(v);
  }
  return stringify(ev, t, options);
}

/**
 * Typed rendering (§7.1): a string that is exactly one `{{ expr }}` keeps its native value
 * (list, map, number, boolean, null); other strings render to strings; maps and lists are
 * rendered deeply (keys are rendered too). Non-string scalars are returned unchanged.
 *
 * @example
 * await renderTyped({ values: '{{ outputs.x.vars.list }}' }, ctx); // { values: [1, 2, 3] }
 */
export async function renderTyped(value: unknown, context: ExpressionContext, options: RenderOptions = {}): Promise<unknown> {
  if (typeof value === 'string') {
    if (!value.includes('{')) return value;
    let t: Template;
    try {
      t = compileTemplate(value);
    } catch (e) {
      throw unexpected(e, value);
    }
    if (t.constant !== undefined) return t.constant;
    return runAsync(t, context, options, (ev) => typedString(ev, t, options));
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) out.push(await renderTyped(v, context, options));
    return out;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[await render(k, context, options)] = await renderTyped(v, context, options);
    return out;
  }
  return value;
}

/** Synchronous typed rendering; see renderTyped and renderSync. */
export function renderTypedSync(value: unknown, context: ExpressionContext, options: RenderOptions = {}): unknown {
  if (typeof value === 'string') {
    if (!value.includes('{')) return value;
    let t: Template;
    try {
      t = compileTemplate(value);
    } catch (e) {
      throw unexpected(e, value);
    }
    if (t.constant !== undefined) return t.constant;
    return runSync(t, context, options, (ev) => typedString(ev, t, options));
  }
  if (Array.isArray(value)) return value.map((v) => renderTypedSync(v, context, options));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[renderSync(k, context, options)] = renderTypedSync(v, context, options);
    return out;
  }
  return value;
}

/**
 * Renders for display (the `windhover render` command, Kestra's debug-expression console): a single
 * `{{ expr }}` shows its value (strings as they are; lists, maps, numbers and booleans as compact
 * JSON with Java number forms); any other template shows its rendered text.
 */
export async function renderForDisplay(template: string, context: ExpressionContext, options: RenderOptions = {}): Promise<string> {
  if (!template.includes('{')) return template;
  let t: Template;
  try {
    t = compileTemplate(template);
  } catch (e) {
    throw unexpected(e, template);
  }
  if (t.constant !== undefined) return t.constant;
  const single = t.single;
  if (!single) return runAsync(t, context, options, (ev) => stringify(ev, t, options));
  return runAsync(t, context, options, (ev) => printValue(ev.evaluateSingle(t, single, t.source)));
}

/** Prints a value the way `{{ value }}` would (maps/lists as JSON, numbers like Java, null as ''). */
export function printExpressionValue(value: unknown): string {
  return printValue(value);
}
