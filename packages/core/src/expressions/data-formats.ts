import { createRequire } from 'node:module';
import type * as IonModule from 'ion-js';
import YAML from 'yaml';
import { EvalFailure } from './signals';
import { str } from './filters-core';
import { isNumber, JDouble, toPlain } from './values';

const requireCjs = createRequire(import.meta.url);
let ionModule: typeof IonModule | undefined;

/** ion-js (about 100 KB) is required on first use: few requests touch Ion (see LAZY_MODULES in lib/windhover-function.ts). */
export function ionJs(): typeof IonModule {
  ionModule ??= requireCjs('ion-js') as typeof IonModule;
  return ionModule;
}

/** Ion text as Jackson's Ion writer produces it. */
export function toIon(v: unknown): string {
  return ionJs().dumpText(toPlain(v) ?? null);
}

/** Parses Ion text into plain data. */
export function fromIon(s: string): unknown {
  let loaded: unknown;
  try {
    // loadAll reads to the end, so truncated input is an error rather than a partial value.
    loaded = ionJs().loadAll(s)[0] ?? null;
  } catch (e) {
    throw new EvalFailure(`Invalid Ion: ${(e as Error).message}`);
  }
  return loaded === null ? null : (JSON.parse(JSON.stringify(loaded)) as unknown);
}

export function parseJson(s: unknown): unknown {
  if (s === null || s === undefined) return null;
  if (typeof s !== 'string') return s;
  try {
    return JSON.parse(s) as unknown;
  } catch (e) {
    throw new EvalFailure(`Invalid JSON: ${(e as Error).message}`);
  }
}

export function parseYaml(s: unknown): unknown {
  if (s === null || s === undefined) return null;
  if (typeof s !== 'string') return s;
  try {
    return (YAML.parse(s, { maxAliasCount: 100 }) as unknown) ?? null;
  } catch (e) {
    throw new EvalFailure(`Invalid YAML: ${(e as Error).message}`);
  }
}

/** Kestra's `number` filter: parses a string to the given Java number type, or infers it. */
export function toNumber(input: unknown, type: unknown): unknown {
  if (input === null || input === undefined) return null;
  if (isNumber(input)) return input;
  const s = str(input).trim();
  const t = typeof type === 'string' ? type.toUpperCase() : undefined;
  const fail = () => new EvalFailure(`"${s}" is not a valid number${t ? ` of type ${t}` : ''}`);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfFlL]?$/.test(s)) throw fail();
  const clean = s.replace(/[dDfFlL]$/, '');
  const isInt = /^[+-]?\d+$/.test(clean);
  switch (t) {
    case 'INT':
    case 'LONG':
      if (!isInt) throw fail();
      return Number(clean);
    case 'BIGINTEGER':
      if (!isInt) throw fail();
      return BigInt(clean);
    case 'FLOAT':
      return new JDouble(Number(clean), 'java.lang.Float');
    case 'DOUBLE':
      return new JDouble(Number(clean));
    case 'BIGDECIMAL':
      return new JDouble(Number(clean), 'java.math.BigDecimal', clean.replace(/^\+/, ''));
    case undefined: {
      // commons-lang NumberUtils.createNumber: Integer, Long, BigInteger, then Float for decimals.
      if (isInt) {
        const n = Number(clean);
        return Number.isSafeInteger(n) ? n : BigInt(clean);
      }
      return new JDouble(Number(clean), 'java.lang.Float');
    }
    default:
      throw new EvalFailure(`Unknown number type "${String(type)}"; expected INT, LONG, FLOAT, DOUBLE, BIGDECIMAL or BIGINTEGER`);
  }
}

