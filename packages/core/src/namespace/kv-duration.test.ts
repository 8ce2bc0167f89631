import { describe, expect, it } from 'vitest';
import { formatKvDuration, isKvExpired, kvExpirationDate, parseKvDuration } from './kv-duration';

describe('parseKvDuration', () => {
  it('reads java.time.Duration syntax', () => {
    expect(parseKvDuration('PT1H')).toBe(3_600_000);
    expect(parseKvDuration('P1D')).toBe(86_400_000);
    expect(parseKvDuration('P2DT3H4M5.5S')).toBe(((2 * 24 + 3) * 3600 + 4 * 60 + 5) * 1000 + 500);
    expect(parseKvDuration('pt30m')).toBe(1_800_000);
    expect(parseKvDuration('-PT1S')).toBe(-1000);
  });

  it.each(['', 'P', 'PT', '1H', 'P1M', 'P1Y', 'P1W', 'PT1H30', 'soon'])('rejects %j with a 400 naming it', (text) => {
    expect(() => parseKvDuration(text)).toThrow(/Invalid ISO-8601 duration/);
  });

  it('formats milliseconds the way java.time.Duration prints them', () => {
    expect(formatKvDuration(86_400_000)).toBe('PT24H');
    expect(formatKvDuration(5_400_000)).toBe('PT1H30M');
    expect(formatKvDuration(500)).toBe('PT0.5S');
    expect(formatKvDuration(0)).toBe('PT0S');
  });
});

describe('KV TTL', () => {
  const now = new Date('2026-01-01T00:00:00.000Z');

  it('turns a TTL into an expiration instant and none into no expiration', () => {
    expect(kvExpirationDate(now, 'PT10M')).toBe('2026-01-01T00:10:00.000Z');
    expect(kvExpirationDate(now, undefined)).toBeUndefined();
    expect(kvExpirationDate(now, '')).toBeUndefined();
  });

  it('rejects a TTL that is not positive', () => {
    expect(() => kvExpirationDate(now, 'PT0S')).toThrow(/positive/);
    expect(() => kvExpirationDate(now, '-PT1M')).toThrow(/positive/);
  });

  it('expires an entry at the exact expiration instant', () => {
    const e = { expirationDate: '2026-01-01T00:10:00.000Z' };
    expect(isKvExpired(e, new Date('2026-01-01T00:09:59.999Z'))).toBe(false);
    expect(isKvExpired(e, new Date('2026-01-01T00:10:00.000Z'))).toBe(true);
    expect(isKvExpired({}, new Date('2099-01-01T00:00:00Z'))).toBe(false);
  });
});
