import { EvalFailure, type Evaluation, type FunctionDef, getAttribute } from './evaluator';
import { intArg, str } from './filters-core';
import { fromIon, parseJson, parseYaml } from './data-formats';
import { formatIn } from './date-filters';
import type { ExpressionFunctions } from './functions-port';
import { isMap, isNumber, type MapValue, num, printValue, toJson } from './values';
import { localFields, monthLength, toZonedDate, UTC, zoneOf } from './zoned-date';

const NANOID_ALPHABET = '_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DAY_NAMES = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

function calendar(date: unknown, ev: Evaluation) {
  if (date === null || date === undefined) throw new EvalFailure('A date is required');
  return localFields(toZonedDate(date, ev.options.timeZone ? zoneOf(ev.options.timeZone) : UTC));
}

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
  const name = recursive ? 'render' : 'renderOnce';
  return {
    args: recursive ? ['template', 'recursive'] : ['template'],
    fn: (a, ev, pos) => {
      const template = a.template;
      if (typeof template !== 'string') throw new EvalFailure(`The '${name}' function expects an argument 'template' with type string.`);
      if (a.recursive !== undefined && a.recursive !== null && typeof a.recursive !== 'boolean') {
        throw new EvalFailure(`The '${name}' function expects an optional argument 'recursive' with type boolean.`);
      }
      let out = ev.renderNested(template, pos);
      // Kestra renders again until the text stops changing (at most 100 passes).
      for (let i = 0; recursive && a.recursive !== false && out !== template && i < 100; i++) {
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
        const namespace = optString(a.namespace, 'namespace');
        // Registered once, when the value is first revealed (not again on replays).
        return ev.port(`secret:${namespace}:${key}`, () => port(ev, 'secret')(key, namespace ? { namespace } : {}), true, (value) => {
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
        const explicit = optString(a.namespace, 'namespace');
        const namespace = explicit ?? flowNamespace(ev);
        const errorOnMissing = a.errorOnMissing === undefined || a.errorOnMissing === null ? true : a.errorOnMissing !== false && a.errorOnMissing !== 'false';
        const options = { ...(namespace ? { namespace } : {}), errorOnMissing, inherit: explicit === undefined };
        const value = ev.port(`kv:${namespace}:${key}`, () => port(ev, 'kv')(key, options), true);
        if ((value === undefined || value === null) && errorOnMissing) {
          throw new EvalFailure(`The key '${key}' does not exist in the namespace '${namespace}'.`);
        }
        return value ?? null;
      },
    },
  ],
  [
    'read',
    {
      args: ['path', 'namespace', 'revision', 'version'],
      fn: (a, ev) => {
        const path = requiredString(a.path, 'path', 'read');
        const namespace = optString(a.namespace, 'namespace');
        const rev = a.revision ?? a.version;
        const revision = rev === undefined || rev === null ? undefined : intArg(rev, 'revision');
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
      // Kestra's CurrentEachOutputFunction: walk the outputs map down the parents' values, then the current value.
      fn: (a, ev) => {
        if (!isMap(a.outputs)) throw new EvalFailure("The 'currentEachOutput' function expects an argument 'outputs' with type map.");
        let outputs: MapValue = a.outputs;
        const key = (v: unknown) => (typeof v === 'string' ? v : printValue(v));
        const parents = safeLookup(ev, 'parents');
        if (Array.isArray(parents)) {
          for (const p of [...parents].reverse()) {
            const tr = isMap(p) ? p.taskrun : undefined;
            if (!isMap(tr)) continue;
            const next: unknown = outputs[key(tr.value)];
            if (!isMap(next)) throw new EvalFailure('No execution outputs for the current task runs path');
            outputs = next;
          }
        }
        const taskrun = safeLookup(ev, 'taskrun');
        return isMap(taskrun) ? (outputs[key(taskrun.value)] ?? null) : null;
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
            if (entry.state.toUpperCase() === wanted) out.push({ taskId, state: wanted });
            continue;
          }
          for (const [value, sub] of Object.entries(entry)) {
            if (isMap(sub) && typeof sub.state === 'string' && sub.state.toUpperCase() === wanted) out.push({ taskId, value, state: wanted });
          }
        }
        return out;
      },
    },
  ],
  ['id', { args: [], fn: (_a, ev) => ev.port('uuid', () => port(ev, 'uuid')()) }],
  [
    'nanoId',
    {
      args: ['length', 'alphabet'],
      fn: (a, ev) => {
        const length = a.length === undefined ? 21 : intArg(a.length, 'length');
        const alphabet = a.alphabet === undefined ? NANOID_ALPHABET : str(a.alphabet);
        if (length < 1 || length > 1000 || alphabet.length === 0) throw new EvalFailure('nanoId(): length must be 1..1000 and the alphabet non-empty');
        let out = '';
        for (let i = 0; i < length; i++) out += alphabet[Math.floor(ev.port('random', () => port(ev, 'random')()) * alphabet.length)];
        return out;
      },
    },
  ],
  ['dayOfWeek', { args: ['date'], fn: (a, ev) => DAY_NAMES[calendar(a.date, ev).dayOfWeek - 1] }],
  ['dayOfMonth', { args: ['date'], fn: (a, ev) => calendar(a.date, ev).day }],
  ['monthOfYear', { args: ['date'], fn: (a, ev) => calendar(a.date, ev).month }],
  ['hourOfDay', { args: ['date'], fn: (a, ev) => calendar(a.date, ev).hour }],
  ['isWeekend', { args: ['date'], fn: (a, ev) => calendar(a.date, ev).dayOfWeek >= 6 }],
  [
    'isDayWeekInMonth',
    {
      args: ['date', 'dayOfWeek', 'dayInMonth'],
      fn: (a, ev) => {
        const f = calendar(a.date, ev);
        const wanted = DAY_NAMES.indexOf(str(a.dayOfWeek).toUpperCase()) + 1;
        if (wanted === 0) throw new EvalFailure(`Unknown day of week "${str(a.dayOfWeek)}"`);
        if (f.dayOfWeek !== wanted) return false;
        const position = str(a.dayInMonth).toUpperCase();
        if (position === 'LAST') return f.day + 7 > monthLength(f.year, f.month);
        const n = ['FIRST', 'SECOND', 'THIRD', 'FOURTH'].indexOf(position) + 1;
        if (n === 0) throw new EvalFailure(`dayInMonth must be FIRST, SECOND, THIRD, FOURTH or LAST, got "${position}"`);
        return Math.floor((f.day - 1) / 7) + 1 === n;
      },
    },
  ],
  ['printContext', { args: [], fn: (_a, ev) => toJson(ev.flatContext()) }],
  ['fetchContext', { args: [], fn: (_a, ev) => ev.flatContext() }],
]);
