import { createRequire } from 'node:module';
import { EvalFailure, type Evaluation, Suspend } from './evaluator';
import { toJson } from './values';

/** jq compiled to WebAssembly (jq-web): the real jq, loaded once on first use. */
interface JqModule {
  raw(json: string, filter: string, flags?: string[]): string | undefined;
}

let loaded: JqModule | undefined;
let loading: Promise<unknown> | undefined;

function load(): Promise<unknown> {
  // jq-web is CommonJS exporting a promise; require it directly so no ESM interop wraps it.
  loading ??= Promise.resolve()
    .then(() => createRequire(import.meta.url)('jq-web') as Promise<JqModule>)
    .then((m) => {
      loaded = m;
    });
  return loading;
}

/** Loads jq ahead of time so that synchronous renders can use the `jq` filter. */
export async function preloadJq(): Promise<void> {
  await load();
}

/**
 * Kestra's `jq(expression)` filter: runs jq on the value and returns every result as a list
 * (use `| first` for a single value). A string input is read as JSON when it parses as JSON.
 */
export function jqFilter(input: unknown, expression: unknown, ev: Evaluation): unknown[] {
  if (typeof expression !== 'string') throw new EvalFailure('jq expects the jq expression as a string');
  if (!loaded) {
    if (ev.options.sync) throw new EvalFailure('The jq filter is not loaded yet; call preloadJq() before rendering synchronously');
    throw new Suspend(load());
  }
  let json: string;
  if (typeof input === 'string') {
    try {
      JSON.parse(input);
      json = input;
    } catch {
      json = JSON.stringify(input);
    }
  } else json = toJson(input ?? null);
  let raw: string | undefined;
  try {
    raw = loaded.raw(json, expression, ['-c']);
  } catch (e) {
    const msg = (e as Error).message.replace(/^Non-zero exit code: \d+\n?/, '').trim();
    throw new EvalFailure(`Failed to resolve JQ expression '${expression}' and value '${json.length > 200 ? `${json.slice(0, 200)}...` : json}': ${msg}`);
  }
  if (raw === undefined || raw.trim() === '') return [];
  return raw
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as unknown);
}
