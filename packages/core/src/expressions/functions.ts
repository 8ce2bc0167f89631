import { EvalFailure, type Evaluation, type FunctionDef, getAttribute } from './evaluator';
import { intArg, str } from './filters-core';
import { formatIn, fromIon, parseJson, parseYaml } from './filters-kestra';
import type { ExpressionFunctions } from './functions-port';
import { isMap, isNumber, num, printValue, toJson } from './values';
import { toZonedDate, UTC } from './zoned-date';

function port<K extends keyof ExpressionFunctions>(ev: Evaluation, name: K): NonNullable<ExpressionFunctions[K]> {
  const f = ev.options.functions?.[name];
  if (!f) throw new EvalFailure(`The function ${name}() is not available in this context`);
  return f.bind(ev.options.functions) as NonNullable<ExpressionFunctions[K]>;
}

function optString(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new EvalFailure(`Argument "${name}" must be a string`);
  return v;
}

function requiredString(v: unknown, name: string, fn: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new EvalFailure(`${fn}() needs the argument "${name}" as a non-empty string`);
  return v;
}

function flowNamespace(ev: Evaluation): string | undefined {
  try {
    const ns = getAttribute(ev.lookup('flow'), 'namespace', { line: 1, column: 1 });
    return typeof ns === 'string' ? ns : undefined;
  } catch {
    return undefined;
  }
}

function safeLookup(ev: Evaluation, name: string): unknown {
  try {
    return ev.lookup(name);
  } catch {
    return undefined;
  }
}

function renderFn(recursive: boolean): FunctionDef {
  return {
    args: recursive ? ['expression', 'recursive'] : ['expression'],
    fn: (a, ev, pos) => {
      const expr = a.expression;
      if (typeof expr !== 'string') return expr ?? null;
      const loop = recursive && a.recursive !== false;
      let out = ev.renderNested(expr, pos);
      for (let i = 0; loop && i < 100 && out !== expr && (out.includes('{{') || out.includes('{%')); i++) {
        const next = ev.renderNested(out, pos);
        if (next === out) break;
        out = next;
      }
      return out;
    },
  };
}

function minMax(sign: 1 | -1): FunctionDef {
  return {
    args: ['...'],
    fn: (a) => {
      const values = Object.values(a);
      if (values.length === 0) throw new EvalFailure(`${sign > 0 ? 'max' : 'min'}() needs at least one argument`);
      let best = values[0];
      for (const v of values.slice(1)) {
        if (!isNumber(v) || !isNumber(best)) throw new EvalFailure(`${sign > 0 ? 'max' : 'min'}() compares numbers only`);
        if ((num(v) - num(best)) * sign > 0) best = v;
      }
      return best;
    },
  };
}

/** Pebble's core functions and Kestra's, with Kestra's argument names. */
export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map<string, FunctionDef>([
  [
    'secret',
    {
      args: ['key', 'namespace'],
      fn: (a, ev) => {
        const key = requiredString(a.key, 'key', 'secret');
        // Registered once, when the value is first revealed (not again on replays).
        return ev.port(`secret:${key}`, () => port(ev, 'secret')(key), true, (value) => {
          if (typeof value === 'string') {
            ev.options.secretMasker?.add(value);
            ev.options.onSecret?.(value);
          }
        });
      },
    },
  ],
  [
    'kv',
    {
      args: ['key', 'namespace', 'errorOnMissing'],
      fn: (a, ev) => {
        const key = requiredString(a.key, 'key', 'kv');
        const namespace = optString(a.namespace, 'namespace') ?? flowNamespace(ev);
        const errorOnMissing = a.errorOnMissing === undefined || a.errorOnMissing === null ? true : a.errorOnMissing !== false && a.errorOnMissing !== 'false';
        return ev.port(`kv:${namespace}:${key}`, () => port(ev, 'kv')(key, { ...(namespace ? { namespace } : {}), errorOnMissing }), true) ?? null;
      },
    },
  ],
  [
    'read',
    {
      args: ['path', 'namespace', 'revision'],
      fn: (a, ev) => {
        const path = requiredString(a.path, 'path', 'read');
        const namespace = optString(a.namespace, 'namespace');
        const revision = a.revision === undefined || a.revision === null ? undefined : intArg(a.revision, 'revision');
        return ev.port(
          `read:${namespace}:${path}:${revision}`,
          () => port(ev, 'read')(path, { ...(namespace ? { namespace } : {}), ...(revision !== undefined ? { revision } : {}) }),
          true,
        );
      },
    },
  ],
  [
    'fileURI',
    {
      args: ['path', 'namespace'],
      fn: (a, ev) => {
        const path = requiredString(a.path, 'path', 'fileURI');
        const namespace = optString(a.namespace, 'namespace');
        return ev.port(`fileURI:${namespace}:${path}`, () => port(ev, 'fileURI')(path, namespace ? { namespace } : {}));
      },
    },
  ],
  ['fileSize', { args: ['path'], fn: (a, ev) => ev.port(`fileSize:${str(a.path)}`, () => port(ev, 'fileSize')(requiredString(a.path, 'path', 'fileSize')), true) }],
  ['fileExists', { args: ['path'], fn: (a, ev) => ev.port(`fileExists:${str(a.path)}`, () => port(ev, 'fileExists')(requiredString(a.path, 'path', 'fileExists')), true) }],
  ['isFileEmpty', { args: ['path'], fn: (a, ev) => ev.port(`isFileEmpty:${str(a.path)}`, () => port(ev, 'isFileEmpty')(requiredString(a.path, 'path', 'isFileEmpty')), true) }],
  ['errorLogs', { args: [], fn: (_a, ev) => ev.port('errorLogs', () => port(ev, 'errorLogs')(), true) }],
  ['fromJson', { args: ['json'], fn: (a) => parseJson(a.json) }],
  ['json', { args: ['json'], fn: (a) => parseJson(a.json) }],
  ['jsonDecode', { args: ['json'], fn: (a) => parseJson(a.json) }],
  ['fromIon', { args: ['ion'], fn: (a) => (a.ion === null || a.ion === undefined ? null : fromIon(str(a.ion))) }],
  ['ionDecode', { args: ['ion'], fn: (a) => (a.ion === null || a.ion === undefined ? null : fromIon(str(a.ion))) }],
  ['yaml', { args: ['yaml'], fn: (a) => parseYaml(a.yaml) }],
  ['render', renderFn(true)],
  ['renderOnce', renderFn(false)],
  [
    'now',
    {
      args: ['format', 'timeZone', 'existingFormat', 'locale'],
      fn: (a, ev) => {
        const date = ev.port('now', () => port(ev, 'now')());
        return formatIn(toZonedDate(date, UTC), a, ev);
      },
    },
  ],
  ['uuid', { args: [], fn: (_a, ev) => ev.port('uuid', () => port(ev, 'uuid')()) }],
  [
    'randomInt',
    {
      args: ['lower', 'upper'],
      fn: (a, ev) => {
        const lower = intArg(a.lower, 'lower');
        const upper = intArg(a.upper, 'upper');
        if (upper <= lower) throw new EvalFailure(`randomInt(): upper (${upper}) must be greater than lower (${lower})`);
        const r = ev.port('random', () => port(ev, 'random')());
        return lower + Math.floor(r * (upper - lower));
      },
    },
  ],
  [
    'range',
    {
      args: ['start', 'end', 'increment'],
      fn: (a, ev) => {
        const step = a.increment === undefined ? 1 : intArg(a.increment, 'increment');
        return ev.range(intArg(a.start, 'start'), intArg(a.end, 'end'), step);
      },
    },
  ],
  ['max', minMax(1)],
  ['min', minMax(-1)],
  [
    'currentEachOutput',
    {
      args: ['outputs'],
      fn: (a, ev) => {
        let current = a.outputs;
        const values: unknown[] = [];
        const parents = safeLookup(ev, 'parents');
        if (Array.isArray(parents)) {
          for (const p of [...parents].reverse()) {
            const tr = isMap(p) ? p.taskrun : undefined;
            if (isMap(tr) && tr.value !== undefined && tr.value !== null) values.push(tr.value);
          }
        }
        const taskrun = safeLookup(ev, 'taskrun');
        if (isMap(taskrun) && taskrun.value !== undefined && taskrun.value !== null) values.push(taskrun.value);
        for (const v of values) {
          const key = typeof v === 'string' ? v : printValue(v);
          if (isMap(current) && Object.hasOwn(current, key)) current = current[key];
        }
        return current ?? null;
      },
    },
  ],
  [
    'tasksWithState',
    {
      args: ['state'],
      fn: (a, ev) => {
        const wanted = str(a.state).toUpperCase();
        const tasks = safeLookup(ev, 'tasks');
        const out: Record<string, unknown>[] = [];
        if (!isMap(tasks)) return out;
        for (const [taskId, entry] of Object.entries(tasks)) {
          if (!isMap(entry)) continue;
          if (typeof entry.state === 'string') {
            if (entry.state.toUpperCase() === wanted) out.push({ taskId, state: entry.state });
            continue;
          }
          for (const [value, sub] of Object.entries(entry)) {
            if (isMap(sub) && typeof sub.state === 'string' && sub.state.toUpperCase() === wanted) out.push({ taskId, value, state: sub.state });
          }
        }
        return out;
      },
    },
  ],
  ['printContext', { args: [], fn: (_a, ev) => toJson(ev.flatContext()) }],
  ['fetchContext', { args: [], fn: (_a, ev) => ev.flatContext() }],
]);
