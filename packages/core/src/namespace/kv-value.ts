import { BadRequestError } from '../errors';
import type { JsonValue } from '../model/json';
import type { KvType } from '../ports/kv-store';
import { formatKvDuration, parseKvDuration } from './kv-duration';

export const KV_TYPES: readonly KvType[] = ['STRING', 'NUMBER', 'BOOLEAN', 'DATETIME', 'DATE', 'DURATION', 'JSON'];

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** ISO-8601 date-time with a zone (Z or ±hh:mm), as java.time parses an Instant/OffsetDateTime. */
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

export function isKvType(v: unknown): v is KvType {
  return typeof v === 'string' && (KV_TYPES as readonly string[]).includes(v);
}

/** The type Kestra reports for a value read back: by its JSON kind (strings are STRING). */
export function inferKvType(value: JsonValue): KvType {
  if (typeof value === 'string') return 'STRING';
  if (typeof value === 'number') return 'NUMBER';
  if (typeof value === 'boolean') return 'BOOLEAN';
  return 'JSON';
}

function fail(type: KvType, value: unknown): never {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  throw new BadRequestError(`Invalid ${type} value ${JSON.stringify(String(shown).slice(0, 80))}`);
}

function isValidDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** Canonical ISO instant (`...Z`) of a date-time string, or undefined when it is not one. */
export function parseKvDateTime(text: string): string | undefined {
  if (!DATETIME.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** `YYYY-MM-DD` of a date string, or undefined when it is not a valid calendar date. */
export function parseKvDate(text: string): string | undefined {
  const m = DATE.exec(text);
  if (!m || !isValidDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  return text;
}

function toText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Converts a rendered value to the stored value of a KV type, as kv.Set's
 * `kvType` does: NUMBER and BOOLEAN accept their JSON forms or strings,
 * DATETIME is normalized to a UTC instant, DATE to `YYYY-MM-DD`, DURATION to
 * java.time's canonical form (`P1D` → `PT24H`), JSON parses strings. Without
 * a type the value keeps its own kind (a string stays a STRING).
 * Throws a BadRequestError naming the type when the value does not fit.
 */
export function coerceKvValue(type: KvType | undefined, value: unknown): { type: KvType; value: JsonValue } {
  if (value === undefined) throw new BadRequestError('KV value is required');
  switch (type) {
    case undefined: {
      const v = value as JsonValue;
      return { type: inferKvType(v), value: v };
    }
    case 'STRING':
      return { type, value: toText(value) };
    case 'NUMBER': {
      if (typeof value === 'number' && Number.isFinite(value)) return { type, value };
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value.trim()))) {
        return { type, value: Number(value.trim()) };
      }
      return fail(type, value);
    }
    case 'BOOLEAN': {
      if (typeof value === 'boolean') return { type, value };
      const t = typeof value === 'string' ? value.trim().toLowerCase() : '';
      if (t === 'true' || t === 'false') return { type, value: t === 'true' };
      return fail(type, value);
    }
    case 'DATETIME': {
      const v = typeof value === 'string' ? parseKvDateTime(value.trim()) : undefined;
      return v ? { type, value: v } : fail(type, value);
    }
    case 'DATE': {
      if (typeof value !== 'string') return fail(type, value);
      const t = value.trim();
      const v = parseKvDate(t) ?? parseKvDateTime(t)?.slice(0, 10);
      return v ? { type, value: v } : fail(type, value);
    }
    case 'DURATION': {
      if (typeof value !== 'string') return fail(type, value);
      try {
        return { type, value: formatKvDuration(parseKvDuration(value)) };
      } catch {
        return fail(type, value);
      }
    }
    case 'JSON': {
      if (typeof value !== 'string') return { type, value: value as JsonValue };
      try {
        return { type, value: JSON.parse(value) as JsonValue };
      } catch {
        throw new BadRequestError('Invalid JSON value');
      }
    }
    default:
      throw new BadRequestError(`Unknown KV type ${JSON.stringify(type)}; expected one of ${KV_TYPES.join(', ')}`);
  }
}

/**
 * The typed value of a KV PUT body, as Kestra's API reads it: a JSON literal
 * (`"Hello"`, `42`, `true`, `{...}`) gives its own type; an unquoted ISO
 * date-time or date (Ion timestamps) gives DATETIME or DATE; a `text/plain`
 * body is a STRING as is. Anything else is "Invalid JSON value".
 */
export function parseKvRequestBody(text: string, contentType: string | undefined): { type: KvType; value: JsonValue } {
  const ct = (contentType ?? '').toLowerCase();
  if (ct.startsWith('text/plain')) return { type: 'STRING', value: text };
  const trimmed = text.trim();
  if (trimmed === '') throw new BadRequestError('Invalid JSON value: the body is empty');
  try {
    const v = JSON.parse(trimmed) as JsonValue;
    if (v === null) throw new BadRequestError('Invalid JSON value: null cannot be stored');
    return { type: inferKvType(v), value: v };
  } catch (e) {
    if (e instanceof BadRequestError) throw e;
  }
  const dt = parseKvDateTime(trimmed);
  if (dt) return { type: 'DATETIME', value: dt };
  const d = parseKvDate(trimmed);
  if (d) return { type: 'DATE', value: d };
  throw new BadRequestError('Invalid JSON value');
}
