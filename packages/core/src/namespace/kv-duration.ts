import { BadRequestError } from '../errors';

/**
 * java.time.Duration's ISO-8601 syntax (what Kestra's `ttl` and DURATION
 * values accept): `PnDTnHnMn.nS`, each part optional, signs allowed. Years,
 * months and weeks are calendar-dependent and rejected, as Java does.
 */
const DURATION = /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/i;

/** Milliseconds of an ISO-8601 duration; throws a BadRequestError naming the text when it is not one. */
export function parseKvDuration(text: string): number {
  const m = typeof text === 'string' ? DURATION.exec(text.trim()) : null;
  if (!m || text.trim().toUpperCase() === 'P' || /T$/i.test(text.trim())) {
    throw new BadRequestError(`Invalid ISO-8601 duration ${JSON.stringify(String(text))} (expected e.g. PT1H, P1D, PT30M)`);
  }
  const n = (s: string | undefined) => (s ? Number.parseInt(s, 10) : 0);
  const fraction = m[6] ? Number(`0.${m[6]}`) : 0;
  const secondsSign = m[5]?.startsWith('-') ? -1 : 1;
  const ms =
    n(m[2]) * 86_400_000 + n(m[3]) * 3_600_000 + n(m[4]) * 60_000 + n(m[5]) * 1000 + secondsSign * Math.round(fraction * 1000);
  return m[1] === '-' ? -ms : ms;
}

/** java.time.Duration#toString of a millisecond count: `PT1H30M`, `PT0.5S`, `PT0S`. */
export function formatKvDuration(ms: number): string {
  if (ms === 0) return 'PT0S';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const milli = rest - s * 1000;
  let out = 'PT';
  if (h) out += `${sign}${h}H`;
  if (m) out += `${sign}${m}M`;
  if (s || milli) out += `${sign}${s}${milli ? `.${String(milli).padStart(3, '0').replace(/0+$/, '')}` : ''}S`;
  return out;
}

/**
 * The expiration instant of a KV entry written at `now` with `ttl` (an
 * ISO-8601 duration); undefined when there is no TTL. A TTL must be positive.
 */
export function kvExpirationDate(now: Date, ttl: string | undefined | null): string | undefined {
  if (ttl === undefined || ttl === null || ttl === '') return undefined;
  const ms = parseKvDuration(ttl);
  if (ms <= 0) throw new BadRequestError(`Invalid TTL ${JSON.stringify(ttl)}: it must be a positive duration`);
  return new Date(now.getTime() + ms).toISOString();
}

/** Whether an entry with this expiration date no longer exists at `now` (expired at the exact instant). */
export function isKvExpired(entry: { readonly expirationDate?: string }, now: Date): boolean {
  return entry.expirationDate !== undefined && Date.parse(entry.expirationDate) <= now.getTime();
}
