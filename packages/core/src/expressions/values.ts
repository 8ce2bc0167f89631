/**
 * Value model. Templates see plain JSON-like data: strings, numbers, booleans, null, arrays (lists)
 * and plain objects (maps). Java distinguishes integers from doubles when printing (`5` vs `5.0`);
 * JavaScript does not, so a double whose value is integral is boxed as a JDouble.
 */
export class JDouble {
  constructor(
    readonly value: number,
    /** Java class when not java.lang.Double (the `number` filter makes Floats and BigDecimals). */
    readonly javaType?: 'java.lang.Float' | 'java.math.BigDecimal',
    /** Exact digits of a BigDecimal, printed as is. */
    readonly text?: string,
  ) {}
  toString(): string {
    return this.text ?? javaDouble(this.value);
  }
}

export type MapValue = Record<string, unknown>;

export function isMap(v: unknown): v is MapValue {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof JDouble || v instanceof Date) return false;
  return true;
}

export function isNumber(v: unknown): v is number | JDouble | bigint {
  return typeof v === 'number' || v instanceof JDouble || typeof v === 'bigint';
}

/** The numeric value (JDouble unboxed). */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof JDouble) return v.value;
  if (typeof v === 'bigint') return Number(v);
  return Number.NaN;
}

/** Whether a number is a Java double (non-integral JS number, or a boxed integral double). */
export function isDouble(v: unknown): boolean {
  return v instanceof JDouble || (typeof v === 'number' && !Number.isInteger(v));
}

/** Builds a number result: doubles with integral values are boxed so they print as `5.0`. */
export function mkNumber(value: number, double: boolean): number | JDouble {
  if (double && Number.isInteger(value)) return new JDouble(value);
  return value;
}

/** Unboxes JDouble deeply, for handing values back to callers (typed rendering). */
export function toPlain(v: unknown): unknown {
  if (v instanceof JDouble) return v.value;
  // JSON has no bigint: exact digits as a string when a number would lose precision.
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(toPlain);
  if (isMap(v)) {
    const out: MapValue = {};
    for (const [k, x] of Object.entries(v)) out[k] = toPlain(x);
    return out;
  }
  return v;
}

/** Java's Double.toString: `5.0`, `0.1`, `1.0E7`, `1.0E-5`, `NaN`, `Infinity`. */
export function javaDouble(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Number.POSITIVE_INFINITY) return 'Infinity';
  if (d === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    if (s.includes('e')) return expandExponent(s);
    return s.includes('.') ? s : `${s}.0`;
  }
  // The smallest subnormal is the one value where Java's shortest-digits choice differs from JavaScript's.
  if (abs === Number.MIN_VALUE) return d < 0 ? '-4.9E-324' : '4.9E-324';
  const [mant, exp] = d.toExponential().split('e') as [string, string];
  const m = mant.includes('.') ? mant : `${mant}.0`;
  return `${m}E${Number(exp)}`;
}

function expandExponent(s: string): string {
  // Only reached for values in [1e-3, 1e7) that JS printed in exponent form (never in practice).
  return Number(s).toFixed(20).replace(/0+$/, '').replace(/\.$/, '.0');
}

/** Prints an integer-valued JS number without exponent. */
function integerString(n: number): string {
  if (Math.abs(n) < 1e21) return String(n);
  return BigInt(n).toString();
}

export function numberToString(v: number | JDouble | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof JDouble) return v.text ?? javaDouble(v.value);
  if (Number.isInteger(v)) return Object.is(v, -0) ? '0' : integerString(v);
  return javaDouble(v);
}

/** JSON text as Jackson writes it (compact, Java number forms, dates as ISO strings). */
export function toJson(v: unknown, pretty = false): string {
  const out: string[] = [];
  writeJson(v, out, pretty ? '\n' : '', pretty);
  return out.join('');
}

function writeJson(v: unknown, out: string[], nl: string, pretty: boolean): void {
  if (v === null || v === undefined) out.push('null');
  else if (typeof v === 'string') out.push(JSON.stringify(v));
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (typeof v === 'number' || v instanceof JDouble || typeof v === 'bigint') {
    const n = num(v);
    out.push(Number.isFinite(n) ? numberToString(v) : JSON.stringify(numberToString(v)));
  } else if (v instanceof Date) out.push(JSON.stringify(v.toISOString()));
  else if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push('[]');
      return;
    }
    const inner = pretty ? `${nl}  ` : '';
    out.push('[');
    v.forEach((x, i) => {
      if (i > 0) out.push(pretty ? ', ' : ',');
      if (pretty) out.push(inner);
      writeJson(x, out, inner, pretty);
    });
    if (pretty) out.push(nl);
    out.push(']');
  } else if (isMap(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) {
      out.push('{}');
      return;
    }
    const inner = pretty ? `${nl}  ` : '';
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(',');
      if (pretty) out.push(inner);
      out.push(JSON.stringify(k), pretty ? ' : ' : ':');
      writeJson(v[k], out, inner, pretty);
    });
    if (pretty) out.push(nl);
    out.push('}');
  } else out.push(JSON.stringify(String(v)));
}

/** How the output writer prints a value: null as '', maps/lists as JSON, numbers like Java. */
export function printValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || v instanceof JDouble || typeof v === 'bigint') return numberToString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v) || isMap(v)) return toJson(v);
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** Java's String.valueOf, used by `~` concatenation and `join`: lists `[a, b]`, maps `{k=v}`. */
export function javaString(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(javaString).join(', ')}]`;
  if (isMap(v)) return `{${Object.entries(v).map(([k, x]) => `${k}=${javaString(x)}`).join(', ')}}`;
  return printValue(v);
}

/** Pebble's equality: numbers compare by value across int/double; everything else structurally. */
export function valueEquals(a: unknown, b: unknown): boolean {
  if (isNumber(a) && isNumber(b)) return num(a) === num(b);
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => valueEquals(x, b[i]));
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && valueEquals(a[k], b[k]));
  }
  return false;
}

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'java.lang.String';
  if (typeof v === 'boolean') return 'java.lang.Boolean';
  if (v instanceof JDouble) return v.javaType ?? 'java.lang.Double';
  if (typeof v === 'bigint') return 'java.math.BigInteger';
  if (typeof v === 'number') return Number.isInteger(v) ? (Math.abs(v) <= 2147483647 ? 'java.lang.Integer' : 'java.lang.Long') : 'java.lang.Double';
  if (Array.isArray(v)) return 'java.util.ArrayList';
  if (isMap(v)) return 'java.util.LinkedHashMap';
  return 'java.lang.Object';
}
