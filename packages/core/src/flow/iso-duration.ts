/**
 * ISO-8601 durations as Java's `Duration.parse` accepts them (Kestra's
 * durations): `PnDTnHnMn.nS`, signs allowed, no years/months/weeks.
 */
const DURATION = /^[-+]?P(?:[-+]?\d+D)?(?:T(?:[-+]?\d+H)?(?:[-+]?\d+M)?(?:[-+]?\d+(?:[.,]\d{0,9})?S)?)?$/i;

/** A Pebble expression is rendered at run time, so it is accepted wherever a value is expected. */
export const isExpression = (s: string): boolean => s.includes('{{') || s.includes('{%');

export function isIsoDuration(s: string): boolean {
  if (!DURATION.test(s)) return false;
  const upper = s.toUpperCase();
  // `P`, `PT` and `P1DT` carry no amount after the designator.
  return !upper.endsWith('P') && !upper.endsWith('T');
}

/** Why a string is not an ISO-8601 duration, for the error message. */
export function explainDuration(s: string): string {
  const upper = s.toUpperCase().replace(/^[-+]/, '');
  if (!upper.startsWith('P')) return 'must start with P, e.g. PT5M, PT1H30M, P1D';
  if (upper === 'P') return 'no amount/unit after P; e.g. P1D or PT5M';
  if (upper.endsWith('T')) return 'no amount/unit after PT; e.g. PT5M';
  if (/P\d+[YMW]/.test(upper) && !upper.includes('T')) return 'years, months and weeks are not supported; use days, e.g. P7D';
  return 'expected PnDTnHnMn.nS, e.g. PT30S, PT5M, PT1H, P1D';
}
