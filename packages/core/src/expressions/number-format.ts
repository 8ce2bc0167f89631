import { EvalFailure } from './signals';
import { isNumber, num, printValue } from './values';

/** Rounds |n| to `digits` decimals with HALF_EVEN (DecimalFormat's default). */
function roundHalfEven(n: number, digits: number): string {
  const fixed = n.toFixed(Math.min(digits + 3, 100));
  const scaled = n * 10 ** digits;
  const floor = Math.floor(scaled);
  if (scaled - floor === 0.5 && Number.isFinite(scaled)) {
    const even = floor % 2 === 0 ? floor : floor + 1;
    return (even / 10 ** digits).toFixed(digits);
  }
  // toFixed on the wider representation avoids double rounding artefacts for most inputs.
  return Number(fixed).toFixed(digits);
}

/** Java DecimalFormat for the common patterns: `#.##`, `0.00`, `#,##0.###`, `00`, `#%`, prefixes and suffixes. */
export function numberFormat(value: unknown, pattern: string): string {
  const n = isNumber(value) ? num(value) : Number(typeof value === 'string' ? value : printValue(value));
  if (Number.isNaN(n)) throw new EvalFailure(`numberFormat expects a number, got ${printValue(value)}`);
  const positive = pattern.split(';')[0] as string;
  const m = /^([^#0,.]*)([#0,.]+)(.*)$/.exec(positive);
  if (!m) throw new EvalFailure(`Malformed number format pattern "${pattern}"`);
  const prefix = (m[1] as string).replace(/'/g, '');
  const body = m[2] as string;
  const suffix = (m[3] as string).replace(/'/g, '');
  let x = n;
  if (prefix.includes('%') || suffix.includes('%')) x *= 100;
  else if (prefix.includes('\u2030') || suffix.includes('\u2030')) x *= 1000;
  const dot = body.indexOf('.');
  const intPattern = dot < 0 ? body : body.slice(0, dot);
  const fracPattern = dot < 0 ? '' : body.slice(dot + 1);
  const maxFrac = fracPattern.replace(/,/g, '').length;
  const minFrac = (fracPattern.match(/0/g) ?? []).length;
  const intDigitsPattern = intPattern.replace(/,/g, '');
  const minInt = (intDigitsPattern.match(/0/g) ?? []).length;
  const lastComma = intPattern.lastIndexOf(',');
  const group = lastComma >= 0 ? intPattern.length - lastComma - 1 : 0;
  const rounded = roundHalfEven(Math.abs(x), maxFrac);
  let [intPart = '0', frac = ''] = rounded.split('.');
  while (frac.length > minFrac && frac.endsWith('0')) frac = frac.slice(0, -1);
  intPart = intPart.replace(/^0+/, '');
  if (intPart.length < minInt) intPart = '0'.repeat(minInt - intPart.length) + intPart;
  // DecimalFormat prints a zero integer part even for `#.##` (0.125 -> "0.12").
  if (intPart === '') intPart = '0';
  if (group > 0) intPart = intPart.replace(new RegExp(`\\B(?=(\\d{${group}})+(?!\\d))`, 'g'), ',');
  // Java keeps the sign of a negative number that rounds to zero ("-0").
  const negative = x < 0 || Object.is(x, -0);
  return `${negative ? '-' : ''}${prefix}${intPart}${frac ? `.${frac}` : ''}${suffix}`;
}
