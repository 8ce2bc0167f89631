import type { HolidayCalendar } from '@windhover/core';
import { createRequire } from 'node:module';

/** The date-holidays constructor, as its CommonJS entry exports it. */
type HolidaysClass = typeof import('date-holidays').default;

let holidaysClass: HolidaysClass | undefined;

/**
 * date-holidays and its data (moment-timezone, astronomia: about 1.4 MB of
 * minified code) are required on first use, not when this module loads, so a
 * process that never evaluates a PublicHoliday condition never loads them.
 * The require is relative to this module (to the bundle file in a Lambda
 * package, which ships a pre-bundled date-holidays in node_modules beside it:
 * lib/windhover-function.ts).
 */
function loadHolidays(): HolidaysClass {
  if (!holidaysClass) {
    const loaded = createRequire(import.meta.url)('date-holidays') as HolidaysClass | { default: HolidaysClass };
    holidaysClass = typeof loaded === 'function' ? loaded : loaded.default;
  }
  return holidaysClass;
}

/**
 * Public holidays from the date-holidays package (its data ships with it:
 * no network). Kestra uses Jollyday; both follow official public holidays.
 * Only `public` holidays count (not bank, school, optional or observance
 * days). Each (country, subdivision, year) is computed once.
 */
export class DateHolidaysCalendar implements HolidayCalendar {
  readonly #years = new Map<string, ReadonlySet<string>>();

  isHoliday(date: { year: number; month: number; day: number }, country: string, subDivision?: string): boolean {
    const key = `${country.toUpperCase()}|${subDivision?.toUpperCase() ?? ''}|${date.year}`;
    let days = this.#years.get(key);
    if (!days) {
      const Holidays = loadHolidays();
      const hd = subDivision ? new Holidays(country.toUpperCase(), subDivision.toUpperCase()) : new Holidays(country.toUpperCase());
      if (!hd.getCountries()[country.toUpperCase()]) throw new Error(`Unknown country '${country}' for PublicHoliday`);
      const list = hd.getHolidays(date.year) || [];
      days = new Set(list.filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
      this.#years.set(key, days);
    }
    return days.has(`${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`);
  }
}

/** The calendar triggers use unless the options give another. */
export const defaultHolidayCalendar: HolidayCalendar = new DateHolidaysCalendar();
