import { describe, expect, it } from 'vitest';
import { CronSchedule } from './cron-schedule';
import { formatZoned, parseZoned, zoneOffsetMinutes } from './zoned-time';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const at = (s: string) => Date.parse(s);

describe('CronSchedule', () => {
  it('reads 5-field crons and refuses 6 fields without withSeconds', () => {
    const s = CronSchedule.compile({ cron: '*/15 * * * *' });
    expect(s.between(at('2026-01-01T10:00:00Z'), at('2026-01-01T11:00:00Z')).map(iso)).toEqual([
      '2026-01-01T10:00:00.000Z',
      '2026-01-01T10:15:00.000Z',
      '2026-01-01T10:30:00.000Z',
      '2026-01-01T10:45:00.000Z',
    ]);
    expect(() => CronSchedule.compile({ cron: '0 */15 * * * *' })).toThrow(/5 fields/);
  });

  it('reads a leading seconds field with withSeconds', () => {
    const s = CronSchedule.compile({ cron: '*/20 * * * * *', withSeconds: true });
    expect(s.between(at('2026-01-01T10:00:00Z'), at('2026-01-01T10:01:00Z')).map(iso)).toEqual([
      '2026-01-01T10:00:00.000Z',
      '2026-01-01T10:00:20.000Z',
      '2026-01-01T10:00:40.000Z',
    ]);
    expect(() => CronSchedule.compile({ cron: '*/5 * * * *', withSeconds: true })).toThrow(/6 fields/);
  });

  it.each([
    ['@yearly', '2027-01-01T00:00:00.000Z'],
    ['@annually', '2027-01-01T00:00:00.000Z'],
    ['@monthly', '2026-07-01T00:00:00.000Z'],
    ['@weekly', '2026-06-21T00:00:00.000Z'],
    ['@daily', '2026-06-18T00:00:00.000Z'],
    ['@midnight', '2026-06-18T00:00:00.000Z'],
    ['@hourly', '2026-06-17T11:00:00.000Z'],
  ])('understands the nickname %s', (cron, expected) => {
    expect(iso(CronSchedule.compile({ cron }).next(at('2026-06-17T10:30:00Z')))).toBe(expected);
    expect(iso(CronSchedule.compile({ cron, withSeconds: true }).next(at('2026-06-17T10:30:00Z')))).toBe(expected);
  });

  it('supports L for the last day of the month and day names', () => {
    const last = CronSchedule.compile({ cron: '0 12 L * *' });
    expect(last.between(at('2026-01-15T00:00:00Z'), at('2026-04-01T00:00:00Z')).map(iso)).toEqual([
      '2026-01-31T12:00:00.000Z',
      '2026-02-28T12:00:00.000Z',
      '2026-03-31T12:00:00.000Z',
    ]);
    expect(iso(CronSchedule.compile({ cron: '0 9 * * MON' }).next(at('2026-06-17T10:00:00Z')))).toBe('2026-06-22T09:00:00.000Z');
  });

  it('applies the time zone', () => {
    const s = CronSchedule.compile({ cron: '@daily', timezone: 'America/New_York' });
    expect(iso(s.next(at('2026-01-10T12:00:00Z')))).toBe('2026-01-11T05:00:00.000Z');
    expect(iso(s.next(at('2026-07-10T12:00:00Z')))).toBe('2026-07-11T04:00:00.000Z');
  });

  it('runs a fixed time that falls in the spring-forward gap once, at the end of the gap', () => {
    // Europe/Paris 2026-03-29: 02:00 jumps to 03:00, so 02:30 does not exist.
    const s = CronSchedule.compile({ cron: '30 2 * * *', timezone: 'Europe/Paris' });
    const slots = s.between(at('2026-03-27T12:00:00Z'), at('2026-03-31T00:00:00Z'));
    expect(slots.map((x) => formatZoned(x, 'Europe/Paris'))).toEqual([
      '2026-03-28T02:30:00+01:00',
      '2026-03-29T03:00:00+02:00',
      '2026-03-30T02:30:00+02:00',
    ]);
  });

  it('runs a fixed time repeated by fall-back once', () => {
    // Europe/Paris 2026-10-25: 03:00 goes back to 02:00, so 02:30 happens twice.
    const s = CronSchedule.compile({ cron: '30 2 * * *', timezone: 'Europe/Paris' });
    const slots = s.between(at('2026-10-24T12:00:00Z'), at('2026-10-26T12:00:00Z'));
    expect(slots.map((x) => formatZoned(x, 'Europe/Paris'))).toEqual(['2026-10-25T02:30:00+02:00', '2026-10-26T02:30:00+01:00']);
  });

  it('keeps interval schedules regular in UTC across both DST transitions', () => {
    const s = CronSchedule.compile({ cron: '0 * * * *', timezone: 'Europe/Paris' });
    const spring = s.between(at('2026-03-28T23:00:00Z'), at('2026-03-29T03:00:00Z'));
    expect(spring.map((x) => formatZoned(x, 'Europe/Paris'))).toEqual([
      '2026-03-29T00:00:00+01:00',
      '2026-03-29T01:00:00+01:00',
      '2026-03-29T03:00:00+02:00',
      '2026-03-29T04:00:00+02:00',
    ]);
    const fall = s.between(at('2026-10-24T23:00:00Z'), at('2026-10-25T03:00:00Z'));
    expect(fall.map((x) => formatZoned(x, 'Europe/Paris'))).toEqual([
      '2026-10-25T01:00:00+02:00',
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:00:00+01:00',
      '2026-10-25T03:00:00+01:00',
    ]);
  });

  it('finds previous slots strictly before a date', () => {
    const s = CronSchedule.compile({ cron: '0 9 * * *' });
    expect(iso(s.previous(at('2026-01-02T09:00:00Z')))).toBe('2026-01-01T09:00:00.000Z');
    expect(iso(s.nextOrSame(at('2026-01-02T09:00:00Z')))).toBe('2026-01-02T09:00:00.000Z');
  });

  it('rejects unknown zones and broken crons', () => {
    expect(() => CronSchedule.compile({ cron: '* * * * *', timezone: 'Mars/Olympus' })).toThrow(/time zone/);
    expect(() => CronSchedule.compile({ cron: '61 * * * *' })).toThrow(/invalid cron/);
  });
});

describe('zoned dates', () => {
  it('formats like a Java ZonedDateTime and parses back the same instant', () => {
    const ms = at('2026-03-29T01:00:00Z');
    expect(formatZoned(ms, 'UTC')).toBe('2026-03-29T01:00:00Z');
    expect(formatZoned(ms, 'Europe/Paris')).toBe('2026-03-29T03:00:00+02:00');
    expect(formatZoned(ms, 'Asia/Kolkata')).toBe('2026-03-29T06:30:00+05:30');
    expect(parseZoned('2026-03-29T03:00:00+02:00')?.instantMs).toBe(ms);
    expect(parseZoned('2026-03-29T03:00:00+02:00[Europe/Paris]')?.local.hour).toBe(3);
    expect(parseZoned('2026-03-29T03:00:00', 'Europe/Paris')?.instantMs).toBe(ms);
    expect(parseZoned('not a date')).toBeUndefined();
  });
});

describe('CronSchedule fixed-offset shortcut', () => {
  it('answers exactly as croner with the zone, around every DST change of several zones', async () => {
    const { Cron } = await import('croner');
    const zones = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Tehran', 'America/Santiago', 'Africa/Casablanca', 'Asia/Kolkata'];
    const crons: [string, boolean][] = [
      ['30 2 * * *', false],
      ['0 * * * *', false],
      ['*/15 1-3 * * *', false],
      ['0 0 L * *', false],
      ['*/20 * 2 * * *', true],
      ['0 9 * * MON', false],
    ];
    let compared = 0;
    for (const timezone of zones) {
      // References every 17 minutes from 6 h before to 6 h after each of the zone's 2026 offset changes,
      // plus one every 97 hours through the year.
      const refs: number[] = [];
      const start = Date.parse('2026-01-01T00:00:00Z');
      for (let t = start; t < Date.parse('2027-01-01T00:00:00Z'); t += 3_600_000) {
        if (zoneOffsetMinutes(t, timezone) !== zoneOffsetMinutes(t + 3_600_000, timezone)) {
          for (let r = t - 6 * 3_600_000; r <= t + 6 * 3_600_000; r += 17 * 60_000 + 7_000) refs.push(r);
        }
        if ((t - start) % (97 * 3_600_000) === 0) refs.push(t + 1_234_000);
      }
      for (const [cron, withSeconds] of crons) {
        const schedule = CronSchedule.compile({ cron, withSeconds, timezone });
        const exact = new Cron(cron, { timezone, mode: withSeconds ? '6-part' : '5-part', domAndDow: false, fixedTimeRule: 'no-wildcard' });
        for (const ref of refs) {
          expect(schedule.next(ref), `${timezone} ${cron} next after ${new Date(ref).toISOString()}`).toBe(exact.nextRun(new Date(ref))?.getTime());
          expect(schedule.previous(ref), `${timezone} ${cron} previous before ${new Date(ref).toISOString()}`).toBe(
            exact.previousRuns(1, new Date(ref))[0]?.getTime(),
          );
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(3_000);
  }, 120_000);
});
