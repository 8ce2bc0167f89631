import { Cron } from 'croner';
import { ValidationError } from '../errors';
import { isValidTimeZone, zoneOffsetMinutes } from './zoned-time';

/** What a Schedule trigger says about time (core-spec §5.2). */
export interface CronSpec {
  readonly cron: string;
  readonly withSeconds?: boolean;
  /** IANA zone id; Kestra's tutorial default (and ours) is UTC (core-spec §10 #8). */
  readonly timezone?: string;
}

/** Kestra's cron nicknames, as 5-field expressions. */
const NICKNAMES: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Safety bound for searches that skip slots (conditions): no schedule needs more per call. */
const MAX_SCAN = 10_000;
const WEEK_MS = 7 * 86_400_000;
/** Longer than any DST shift (at most 2 h). */
const REPEAT_GUARD_MS = 3 * 3_600_000;

/**
 * A compiled cron schedule in a time zone. Croner does the calendar work,
 * including `L`, names, nicknames and daylight-saving transitions: a fixed
 * time that falls in a spring-forward gap runs at the first valid time after
 * it, a fixed time repeated by fall-back runs once, and interval schedules
 * (`*` or steps in the time fields) skip the gap and run on both repeated
 * hours, like Vixie cron. Day of month and day of week combine with OR when
 * both are restricted, as in Unix cron.
 */
export class CronSchedule {
  readonly timezone: string;
  /** Fingerprint of what decides the slots; a change restarts the trigger from now. */
  readonly key: string;
  private readonly cron: Cron;

  private readonly fixedZone: boolean;
  private readonly pattern: string;
  private readonly mode: '5-part' | '6-part';
  /** Fixed-offset twins of `cron`, by offset in minutes (see `viaOffset`). */
  private readonly atOffset = new Map<number, Cron>();

  private constructor(spec: CronSpec, cron: Cron, timezone: string, pattern: string) {
    this.cron = cron;
    this.timezone = timezone;
    this.key = `${spec.cron.trim()}|${spec.withSeconds === true}|${timezone}`;
    this.fixedZone = timezone === 'UTC' || timezone === 'Etc/UTC';
    this.pattern = pattern;
    this.mode = spec.withSeconds ? '6-part' : '5-part';
  }

  /** Compiles (and caches) a schedule; throws ValidationError naming the problem. */
  static compile(spec: CronSpec): CronSchedule {
    const timezone = spec.timezone?.trim() || 'UTC';
    const cacheKey = `${spec.cron}|${spec.withSeconds === true}|${timezone}`;
    const hit = cache.get(cacheKey);
    if (hit) return hit;
    if (typeof spec.cron !== 'string' || spec.cron.trim() === '') throw new ValidationError('cron is required', [{ path: 'cron', message: 'must not be empty' }]);
    if (!isValidTimeZone(timezone)) {
      throw new ValidationError(`Unknown time zone '${timezone}'`, [{ path: 'timezone', message: `unknown time zone '${timezone}'` }]);
    }
    let pattern = spec.cron.trim().replace(/\s+/g, ' ');
    const nickname = NICKNAMES[pattern.toLowerCase()];
    if (nickname) pattern = spec.withSeconds ? `0 ${nickname}` : nickname;
    const expected = spec.withSeconds ? 6 : 5;
    const fields = pattern.split(' ').length;
    if (fields !== expected) {
      const message = spec.withSeconds
        ? `cron '${spec.cron}' must have 6 fields (seconds first) when withSeconds is true`
        : `cron '${spec.cron}' must have 5 fields (set withSeconds: true for a leading seconds field)`;
      throw new ValidationError(message, [{ path: 'cron', message }]);
    }
    let cron: Cron;
    try {
      // UTC through a fixed offset: croner's zone path costs ~10x more per call.
      const zone = timezone === 'UTC' || timezone === 'Etc/UTC' ? { utcOffset: 0 } : { timezone };
      cron = new Cron(pattern, { ...zone, mode: spec.withSeconds ? '6-part' : '5-part', domAndDow: false, fixedTimeRule: 'no-wildcard' });
    } catch (e) {
      const message = `invalid cron '${spec.cron}': ${e instanceof Error ? e.message : String(e)}`;
      throw new ValidationError(message, [{ path: 'cron', message }]);
    }
    const compiled = new CronSchedule(spec, cron, timezone, pattern);
    if (cache.size > 50_000) cache.clear();
    cache.set(cacheKey, compiled);
    return compiled;
  }

  /** The first slot strictly after `afterMs`. */
  next(afterMs: number): number | undefined {
    if (!this.fixedZone) {
      const fast = this.viaOffset(afterMs, (c) => c.nextRun(new Date(afterMs))?.getTime());
      if (fast !== undefined) return fast;
    }
    return this.cron.nextRun(new Date(afterMs))?.getTime();
  }

  /**
   * Croner's zone arithmetic costs about ten times its fixed-offset one. When
   * the zone's offset is the same at the reference and at the candidate,
   * and they are less than a week apart (no zone changes its offset twice
   * within a week), the offset was constant in between, so the fixed-offset
   * answer is the zone's answer. Otherwise (a DST change nearby) the
   * zone-aware search decides. A property test compares both over a year of
   * transitions in several zones.
   */
  private viaOffset(refMs: number, find: (c: Cron) => number | undefined): number | undefined {
    const offset = zoneOffsetMinutes(refMs, this.timezone);
    let c = this.atOffset.get(offset);
    if (!c) {
      c = new Cron(this.pattern, { utcOffset: offset, mode: this.mode, domAndDow: false, fixedTimeRule: 'no-wildcard' });
      this.atOffset.set(offset, c);
    }
    const r = find(c);
    if (r === undefined || Math.abs(r - refMs) > WEEK_MS) return undefined;
    // Also constant for the hours before the candidate: otherwise its wall time may be the repeat
    // of a fall-back hour, which a fixed-time schedule runs only once (croner's rule).
    if (zoneOffsetMinutes(r, this.timezone) !== offset || zoneOffsetMinutes(r - REPEAT_GUARD_MS, this.timezone) !== offset) return undefined;
    return r;
  }

  /** The first slot at or after `ms`. */
  nextOrSame(ms: number): number | undefined {
    return this.next(Math.ceil(ms / 1000) * 1000 - 1);
  }

  /** The last slot strictly before `beforeMs`. */
  previous(beforeMs: number): number | undefined {
    if (!this.fixedZone) {
      const fast = this.viaOffset(beforeMs, (c) => c.previousRuns(1, new Date(beforeMs))[0]?.getTime());
      if (fast !== undefined) return fast;
    }
    return this.cron.previousRuns(1, new Date(beforeMs))[0]?.getTime();
  }

  /** Slots in [fromMs, toMs), at most `limit`. */
  between(fromMs: number, toMs: number, limit = MAX_SCAN): number[] {
    const out: number[] = [];
    let s = this.nextOrSame(fromMs);
    while (s !== undefined && s < toMs && out.length < limit) {
      out.push(s);
      s = this.next(s);
    }
    return out;
  }

  /** The first slot strictly after `afterMs` accepted by `accept` (bounded search). */
  async nextAccepted(afterMs: number, accept: (slotMs: number) => Promise<boolean> | boolean): Promise<number | undefined> {
    let s = this.next(afterMs);
    for (let i = 0; s !== undefined && i < MAX_SCAN; i++) {
      if (await accept(s)) return s;
      s = this.next(s);
    }
    return undefined;
  }

  /** The last slot strictly before `beforeMs` accepted by `accept` (bounded search). */
  async previousAccepted(beforeMs: number, accept: (slotMs: number) => Promise<boolean> | boolean): Promise<number | undefined> {
    let s = this.previous(beforeMs);
    for (let i = 0; s !== undefined && i < MAX_SCAN; i++) {
      if (await accept(s)) return s;
      s = this.previous(s);
    }
    return undefined;
  }
}

const cache = new Map<string, CronSchedule>();
