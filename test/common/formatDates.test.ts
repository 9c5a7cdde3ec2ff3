import { describe, expect, it } from 'vitest';
import {
  formatDate,
  formatDateTime,
  formatDay,
  formatDays,
  formatNumber,
  formatRateTick,
} from '../../common/format.ts';

// The test runs in en-US (Node's default here); the functions go through Intl in any locale.
const now = new Date(2026, 11, 6, 12).getTime();

describe('dates in one style (issue 24)', () => {
  it('writes a day this year without its year, another year with it', () => {
    expect(formatDate(new Date(2026, 11, 20).getTime(), now)).toBe('Dec 20');
    expect(formatDate(new Date(2027, 0, 1).getTime(), now)).toBe('Jan 1, 2027');
    expect(formatDay(new Date(2026, 11, 20).getTime())).toBe('Dec 20, 2026');
  });

  it('names a cycle by its first and last day, not the next cycle’s first', () => {
    const start = new Date(2026, 11, 1).toISOString();
    const end = new Date(2027, 0, 1).toISOString();
    expect(formatDays(start, end, now)).toBe('Dec 1 – Dec 31');
  });

  it('writes a day and time through Intl', () => {
    expect(formatDateTime(new Date(2026, 11, 6, 15, 5).getTime(), now)).toBe('Dec 6, 3:05 PM');
  });
});

describe('numbers through Intl (issue 24)', () => {
  it('writes decimals in the locale, exactly or trimmed', () => {
    expect(formatNumber(1.5, 2)).toBe('1.50');
    expect(formatNumber(2, 2, true)).toBe('2');
  });

  it('writes rate ticks in the unit of the axis top', () => {
    expect(formatRateTick(2_500_000, 5_000_000)).toBe('2.5 Mbit/s');
    expect(formatRateTick(250_000, 1_000_000)).toBe('0.25 Mbit/s');
    expect(formatRateTick(0, 1_000_000)).toBe('0');
  });
});
