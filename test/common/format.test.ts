import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatBytesShort,
  formatEta,
  formatLinkSpeed,
  formatRate,
  parseRate,
} from '../../common/format.ts';

describe('the one byte and rate formatter (issue 22)', () => {
  it('steps up a unit when rounding reaches 1000: never "1000 kB" or "1000 kbit/s"', () => {
    expect(formatBytes(999_950)).toBe('1.0 MB');
    expect(formatBytes(999_999_999)).toBe('1.0 GB');
    expect(formatBytesShort(999_999)).toBe('1 MB');
    expect(formatRate(124_999)).toBe('1.0 Mbit/s');
    expect(formatRate(124.96)).toBe('1.0 kbit/s');
    expect(formatRate(124_999_999)).toBe('1.00 Gbit/s');
  });

  it('writes as many decimals as the rounded figure needs', () => {
    expect(formatRate(1249)).toBe('10 kbit/s');
    expect(formatRate(1000)).toBe('8.0 kbit/s');
    expect(formatBytes(99_960)).toBe('100 kB');
    expect(formatBytes(1_234_567)).toBe('1.2 MB');
    expect(formatRate(11_300_000)).toBe('90 Mbit/s');
  });

  it('writes a link speed as a rate', () => {
    expect(formatLinkSpeed(100)).toBe('100 Mbit/s');
    expect(formatLinkSpeed(2500)).toBe('2.50 Gbit/s');
    expect(formatLinkSpeed(null)).toBe('—');
  });

  it('writes an ETA as h:mm:ss, rounded up to the second', () => {
    expect(formatEta(0)).toBe('0:00:00');
    expect(formatEta(0.2)).toBe('0:00:01');
    expect(formatEta(42)).toBe('0:00:42');
    expect(formatEta(3723)).toBe('1:02:03');
    expect(formatEta(360_000)).toBe('100:00:00');
    expect(formatEta(Number.POSITIVE_INFINITY)).toBe('—');
  });

  it('reads rates as people write them, in bytes or bits per second', () => {
    expect(parseRate('1MB/s')).toBe(1e6);
    expect(parseRate('500 kB/s')).toBe(500e3);
    expect(parseRate('8Mbit/s')).toBe(1e6);
    expect(parseRate('8Mbps')).toBe(1e6);
    expect(parseRate('2 Mb/s')).toBe(250e3);
    expect(parseRate('1.5MiB/s')).toBe(1.5 * 1024 ** 2);
    for (const bad of ['fast', '1MB', '0MB/s', '-1MB/s']) expect(parseRate(bad), bad).toBeNull();
  });
});
