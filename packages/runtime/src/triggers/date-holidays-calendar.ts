import type { HolidayCalendar } from '@windhover/core';
import Holidays from 'date-holidays';

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
