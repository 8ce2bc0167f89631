import { parse as parseYaml } from 'yaml';
import type { InputDefinition, InputType } from '../model/flow';
import type { JsonValue } from '../model/json';
import { parseDurationMs } from '../engine/duration';

/** A value that does not fit its declared type; `message` follows Kestra's wording where known. */
export class InputCoercionError extends Error {
  override readonly name = 'InputCoercionError';
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const INT = /^[-+]?\d+$/;

function toJsonValue(v: unknown): JsonValue {
  if (v === undefined) return null;
  return JSON.parse(JSON.stringify(v)) as JsonValue;
}

function parseList(v: unknown, id: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') {
    const t = v.trim();
    try {
      const parsed = t.startsWith('[') ? JSON.parse(t) : parseYaml(t);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      /* reported below */
    }
  }
  throw new InputCoercionError(`Invalid value for input '${id}': expected a list`);
}

function bound(def: InputDefinition, key: 'min' | 'max' | 'after' | 'before'): unknown {
  return def[key];
}

/** Converts a raw value (form field text or JSON) into the runtime value of its type (core-spec §2.2). */
export function coerceValue(def: InputDefinition, raw: unknown): JsonValue {
  const id = def.id;
  const type = (def.type ?? 'STRING') as InputType;
  const bad = (what: string): never => {
    throw new InputCoercionError(`Invalid value for input '${id}': ${what}`);
  };
  switch (type) {
    case 'STRING':
    case 'SECRET': {
      const s = typeof raw === 'string' ? raw : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
      const validator = def['validator'];
      if (typeof validator === 'string' && !new RegExp(`^(?:${validator})$`).test(s)) bad(`it must match the pattern \`${validator}\``);
      return s;
    }
    case 'INT': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && INT.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
      if (!Number.isInteger(n)) bad(`'${String(raw)}' is not an integer`);
      checkNumberBounds(def, n, bad);
      return n;
    }
    case 'FLOAT': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
      if (!Number.isFinite(n)) bad(`'${String(raw)}' is not a number`);
      checkNumberBounds(def, n, bad);
      return n;
    }
    case 'BOOL':
    case 'BOOLEAN': {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      return bad(`'${String(raw)}' is not a boolean`);
    }
    case 'DATETIME': {
      const s = String(raw);
      const t = Date.parse(s);
      if (!/T/.test(s) || Number.isNaN(t)) bad(`'${s}' is not an ISO-8601 date-time`);
      const iso = new Date(t).toISOString();
      checkOrdered(def, t, (x) => Date.parse(String(x)), bad);
      return iso;
    }
    case 'DATE': {
      const s = String(raw);
      if (!DATE.test(s) || Number.isNaN(Date.parse(s))) bad(`'${s}' is not a date (yyyy-MM-dd)`);
      checkOrdered(def, s, (x) => String(x), bad);
      return s;
    }
    case 'TIME': {
      const s = String(raw);
      if (!TIME.test(s)) bad(`'${s}' is not a time (HH:mm:ss)`);
      const norm = s.length === 5 ? `${s}:00` : s;
      checkOrdered(def, norm, (x) => (String(x).length === 5 ? `${x}:00` : String(x)), bad);
      return norm;
    }
    case 'DURATION': {
      const s = String(raw);
      const ms = parseDurationMs(s);
      if (ms === undefined) bad(`'${s}' is not an ISO-8601 duration`);
      const min = parseDurationMs(bound(def, 'min'));
      const max = parseDurationMs(bound(def, 'max'));
      if (min !== undefined && ms! < min) bad(`it must be at least ${String(def['min'])}`);
      if (max !== undefined && ms! > max) bad(`it must be at most ${String(def['max'])}`);
      return s;
    }
    case 'FILE': {
      const s = String(raw);
      if (!/^(kestra|nsfile):\/\//.test(s)) bad(`'${s}' is not a file`);
      const allowed = def['allowedFileExtensions'];
      if (Array.isArray(allowed) && allowed.length > 0 && !allowed.some((ext) => s.toLowerCase().endsWith(String(ext).toLowerCase()))) {
        bad(`file extension must be one of ${allowed.join(', ')}`);
      }
      return s;
    }
    case 'JSON': {
      if (typeof raw !== 'string') return toJsonValue(raw);
      try {
        return JSON.parse(raw) as JsonValue;
      } catch {
        return bad('it is not valid JSON');
      }
    }
    case 'YAML': {
      if (typeof raw !== 'string') return toJsonValue(raw);
      try {
        return toJsonValue(parseYaml(raw));
      } catch {
        return bad('it is not valid YAML');
      }
    }
    case 'URI': {
      const s = String(raw);
      try {
        new URL(s);
      } catch {
        bad(`'${s}' is not a valid URI`);
      }
      return s;
    }
    case 'EMAIL': {
      const s = String(raw);
      if (!EMAIL.test(s)) bad(`'${s}' is not a valid email`);
      return s;
    }
    case 'ARRAY': {
      const items = parseList(raw, id);
      const itemType = (def['itemType'] ?? 'STRING') as InputType;
      return items.map((x, i) => coerceValue({ ...def, id: `${id}[${i}]`, type: itemType, validator: undefined, min: undefined, max: undefined }, x));
    }
    case 'SELECT':
    case 'ENUM': {
      const s = String(raw);
      const values = def['values'];
      if (def['allowCustomValue'] !== true && Array.isArray(values) && !values.map(String).includes(s)) bad(`'${s}' is not one of [${values.join(', ')}]`);
      return s;
    }
    case 'MULTISELECT': {
      const items = typeof raw === 'string' && !raw.trim().startsWith('[') ? raw.split(',').map((x) => x.trim()) : parseList(raw, id);
      const values = def['values'] ?? def['options'];
      const list = items.map(String);
      if (def['allowCustomValue'] !== true && Array.isArray(values)) {
        const allowed = values.map(String);
        const wrong = list.find((x) => !allowed.includes(x));
        if (wrong !== undefined) bad(`'${wrong}' is not one of [${allowed.join(', ')}]`);
      }
      return list;
    }
    default:
      return bad(`unknown input type '${String(type)}'`);
  }
}

function checkNumberBounds(def: InputDefinition, n: number, bad: (w: string) => never): void {
  const min = def['min'];
  const max = def['max'];
  if (typeof min === 'number' && n < min) bad(`it must be greater than or equal to ${min}`);
  if (typeof max === 'number' && n > max) bad(`it must be less than or equal to ${max}`);
}

function checkOrdered<V>(def: InputDefinition, v: V, conv: (x: unknown) => V, bad: (w: string) => never): void {
  const after = def['after'];
  const before = def['before'];
  if (after !== undefined && !(v > conv(after))) bad(`it must be after ${String(after)}`);
  if (before !== undefined && !(v < conv(before))) bad(`it must be before ${String(before)}`);
}

/** Flow outputs are coerced like inputs (core-spec §6.9). */
export function coerceOutputValue(id: string, type: InputType, value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  return coerceValue({ id, type }, value);
}
