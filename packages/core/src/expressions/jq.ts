import { createRequire } from 'node:module';
import vm from 'node:vm';
import { EvalFailure, type Evaluation, Suspend } from './evaluator';
import { toJson } from './values';

/** jq compiled to WebAssembly (jq-web): the real jq, loaded once on first use. */
interface JqModule {
  raw(json: string, filter: string, flags?: string[]): string | undefined;
}

let loaded: JqModule | undefined;
let loading: Promise<unknown> | undefined;
const requireCjs = createRequire(import.meta.url);

function load(): Promise<unknown> {
  // jq-web is CommonJS exporting a promise; require it directly so no ESM interop wraps it.
  loading ??= Promise.resolve()
    .then(() => requireCjs('jq-web') as Promise<JqModule>)
    .then((m) => {
      loaded = m;
    });
  return loading;
}

/** After an interrupted run the WebAssembly instance may hold a half-done state: load a fresh one. */
function discard(): void {
  loaded = undefined;
  loading = undefined;
  const path = requireCjs.resolve('jq-web');
  delete requireCjs.cache[path];
}

export const DEFAULT_JQ_TIMEOUT_MS = 10_000;

// jq programs can loop forever (`def f: f; f`): each run is bounded like the regex filters.
const context = vm.createContext({ jq: null, json: '', filter: '', out: undefined });
const script = new vm.Script("out = jq.raw(json, filter, ['-c'])");

function runJq(jq: JqModule, json: string, filter: string, timeoutMs: number): string | undefined {
  const c = context as { jq: JqModule | null; json: string; filter: string; out: string | undefined };
  c.jq = jq;
  c.json = json;
  c.filter = filter;
  try {
    script.runInContext(context, { timeout: timeoutMs });
    return c.out;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      discard();
      throw new EvalFailure(`JQ expression '${filter}' timed out after ${timeoutMs} ms`);
    }
    throw e;
  } finally {
    c.jq = null;
    c.json = '';
    c.out = undefined;
  }
}

/** Loads jq ahead of time so that synchronous renders can use the `jq` filter. */
export async function preloadJq(): Promise<void> {
  await load();
}

/**
 * Kestra's `jq(expression)` filter: runs jq on the value and returns every result as a list
 * (use `| first` for a single value). A string input is read as JSON when it parses as JSON.
 */
export function jqFilter(input: unknown, expression: unknown, ev: Evaluation): unknown[] | null {
  if (typeof expression !== 'string') throw new EvalFailure('jq expects the jq expression as a string');
  if (!loaded) {
    if (ev.sync) throw new EvalFailure('The jq filter is not loaded yet; call preloadJq() before rendering synchronously');
    throw new Suspend(load());
  }
  // Kestra's JqFilter: null stays null, a string is read as JSON text, anything else is converted.
  if (input === null || input === undefined) return null;
  let json: string;
  if (typeof input === 'string') {
    try {
      JSON.parse(input);
    } catch (e) {
      throw new EvalFailure(`Unable to parse jq value '${input.length > 200 ? `${input.slice(0, 200)}...` : input}': ${(e as Error).message}`);
    }
    json = input;
  } else json = toJson(input);
  let raw: string | undefined;
  try {
    raw = runJq(loaded, json, expression, ev.options.jqTimeoutMs ?? DEFAULT_JQ_TIMEOUT_MS);
  } catch (e) {
    if (e instanceof EvalFailure) throw e;
    const msg = (e as Error).message.replace(/^Non-zero exit code: \d+\n?/, '').trim();
    throw new EvalFailure(`Failed to resolve JQ expression '${expression}' and value '${json.length > 200 ? `${json.slice(0, 200)}...` : json}': ${msg}`);
  }
  if (raw === undefined || raw.trim() === '') return [];
  return raw
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as unknown);
}
