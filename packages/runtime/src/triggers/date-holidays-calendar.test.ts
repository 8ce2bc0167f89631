import { describe, expect, it } from 'vitest';
import { DateHolidaysCalendar } from './date-holidays-calendar';

describe('DateHolidaysCalendar', () => {
  const cal = new DateHolidaysCalendar();

  it('knows national public holidays offline', () => {
    expect(cal.isHoliday({ year: 2026, month: 7, day: 14 }, 'FR')).toBe(true);
    expect(cal.isHoliday({ year: 2026, month: 7, day: 15 }, 'FR')).toBe(false);
    expect(cal.isHoliday({ year: 2026, month: 1, day: 19 }, 'US')).toBe(true);
  });

  it('knows subdivision holidays and ignores mere observances', () => {
    expect(cal.isHoliday({ year: 2026, month: 1, day: 6 }, 'DE', 'BY')).toBe(true);
    expect(cal.isHoliday({ year: 2026, month: 1, day: 6 }, 'DE', 'BE')).toBe(false);
    // Valentine's Day is an observance in the US, not a public holiday.
    expect(cal.isHoliday({ year: 2026, month: 2, day: 14 }, 'US')).toBe(false);
  });

  it('refuses an unknown country', () => {
    expect(() => cal.isHoliday({ year: 2026, month: 1, day: 1 }, 'XX')).toThrow(/Unknown country/);
  });
});
