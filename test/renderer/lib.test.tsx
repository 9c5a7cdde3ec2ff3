import { describe, expect, it } from 'vitest';
import { downsample, MAX_POINTS_PER_SERIES } from '../../renderer/src/lib/downsample.ts';
import { formatBytes, formatMoney, formatRate, parseByteSize } from '../../common/format.ts';
import { appendSample, LIVE_WINDOW_MS, throughputRows } from '../../renderer/src/lib/liveSeries.ts';
import { pathColors } from '../../renderer/src/lib/pathColors.ts';
import { overallStatus } from '../../common/status.ts';
import { niceTicks, timeTicks } from '../../renderer/src/lib/ticks.ts';
import { downsampleUsage, forecastRows, padQuietGaps } from '../../renderer/src/lib/usageSeries.ts';
import { path } from './fakeApi.ts';
import { scenario, throughputSamples } from './scenario.ts';

describe('downsample (LTTB)', () => {
  const series = Array.from({ length: 50_000 }, (_, i) => ({
    t: i,
    v: Math.sin(i / 500) * 100 + (i === 31_337 ? 5000 : 0),
  }));

  it('keeps at most the requested points, first and last included, in order', () => {
    const out = downsample(
      series,
      1000,
      (p) => p.t,
      (p) => p.v,
    );
    expect(out).toHaveLength(1000);
    expect(out[0]).toBe(series[0]);
    expect(out[out.length - 1]).toBe(series[series.length - 1]);
    expect(out.every((p, i) => i === 0 || p.t > (out[i - 1]?.t ?? -1))).toBe(true);
  });

  it('keeps a lone spike that plain decimation would drop', () => {
    const out = downsample(
      series,
      1000,
      (p) => p.t,
      (p) => p.v,
    );
    expect(out.some((p) => p.t === 31_337)).toBe(true);
  });

  it('returns short series unchanged', () => {
    const short = series.slice(0, 10);
    expect(
      downsample(
        short,
        1000,
        (p) => p.t,
        (p) => p.v,
      ),
    ).toEqual(short);
  });

  it('thins a week of minute history to ~1000 points per path', () => {
    const s = scenario(Date.UTC(2026, 4, 20, 12));
    const out = downsampleUsage(s.history.minute);
    for (const name of ['wlan0', 'wwan0', 'usb0']) {
      expect(out.filter((p) => p.path === name)).toHaveLength(MAX_POINTS_PER_SERIES);
    }
  });
});

describe('padQuietGaps', () => {
  const MIN = 60_000;
  const at = (t: number, allBytes = 5) => ({ t, path: 'wlan0', appBytes: allBytes, allBytes });

  it('puts one short transfer in its place in the range, silence around it as zero', () => {
    const out = padQuietGaps([at(30 * MIN), at(31 * MIN)], MIN, 0, 60 * MIN);
    expect(out.map((p) => [p.t / MIN, p.allBytes])).toEqual([
      [0, 0],
      [29, 0],
      [30, 5],
      [31, 5],
      [32, 0],
      [60, 0],
    ]);
  });

  it('drops to zero between two busy stretches instead of ramping across the gap', () => {
    const out = padQuietGaps([at(10 * MIN), at(20 * MIN)], MIN, 10 * MIN, 21 * MIN);
    expect(out.map((p) => [p.t / MIN, p.allBytes])).toEqual([
      [10, 5],
      [11, 0],
      [19, 0],
      [20, 5],
    ]);
  });

  it('adds nothing inside continuous traffic, and nothing for a path without any', () => {
    const busy = Array.from({ length: 10 }, (_, i) => at(i * MIN));
    expect(padQuietGaps(busy, MIN, 0, 10 * MIN)).toEqual(busy);
    expect(padQuietGaps([], MIN, 0, 10 * MIN)).toEqual([]);
  });
});

describe('live throughput series', () => {
  it('stays bounded to the window however long it runs', () => {
    let series = [] as ReturnType<typeof throughputSamples>;
    for (const sample of throughputSamples(Date.UTC(2026, 4, 20), 3600))
      series = appendSample(series, sample);
    expect(series.length).toBe(LIVE_WINDOW_MS / 1000 + 1);
    expect((series.at(-1)?.t ?? 0) - (series[0]?.t ?? 0)).toBe(LIVE_WINDOW_MS);
  });

  it('ignores samples that arrive out of order', () => {
    const [a, b] = throughputSamples(Date.UTC(2026, 4, 20), 2);
    if (!a || !b) throw new Error('no samples');
    expect(appendSample(appendSample([], b), a)).toEqual([b]);
  });

  it('makes one row per sample with app or all-traffic rates per path', () => {
    const samples = throughputSamples(Date.UTC(2026, 4, 20), 3);
    const app = throughputRows(samples, ['wlan0', 'eth9'], 'app', 0);
    expect(app).toHaveLength(3);
    expect(app[0]?.['wlan0']).toBe(samples[0]?.paths['wlan0']?.appRate);
    expect(app[0]?.['eth9']).toBe(0);
  });
});

describe('forecast rows', () => {
  it('runs the actual total up to now, then a straight line to the forecast at the cycle end', () => {
    const now = Date.UTC(2026, 4, 20, 12);
    const s = scenario(now);
    const wwan = s.usage.paths.find((p) => p.name === 'wwan0');
    if (!wwan) throw new Error('no wwan0');
    const rows = forecastRows(wwan, s.history.day, now);
    expect(rows[0]).toEqual({ t: Date.parse(wwan.cycle.start), actual: 0 });
    const nowRow = rows.find((r) => r.t === now);
    expect(nowRow).toEqual({ t: now, actual: wwan.allBytes, forecast: wwan.allBytes });
    expect(rows.at(-1)).toEqual({ t: Date.parse(wwan.cycle.end), forecast: wwan.forecastBytes });
  });
});

describe('formatting', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1500, '1.5 kB'],
    [6.2e9, '6.2 GB'],
    [123.4e6, '123 MB'],
    [999.6e6, '1.0 GB'],
    [999.6, '1.0 kB'],
  ])('formatBytes(%d) = %s', (n, text) => expect(formatBytes(n)).toBe(text));

  it('shows rates in bits per second', () => {
    expect(formatRate(11_300_000)).toBe('90 Mbit/s');
    expect(formatRate(125_000)).toBe('1.0 Mbit/s');
  });

  it('shows no money without a currency', () => {
    expect(formatMoney(0, null)).toBe('—');
    expect(formatMoney(7.9, 'USD')).toMatch(/7\.90/);
  });

  it.each([
    ['20 GB', 20e9],
    ['500mb', 500e6],
    ['1.5 GiB', 1.5 * 1024 ** 3],
    ['0', 0],
    ['lots', null],
  ])('parseByteSize(%s) = %s', (text, bytes) => expect(parseByteSize(text)).toBe(bytes));

  it('makes round axis ticks', () => {
    expect(niceTicks(2.6e9)).toEqual([0, 1e9, 2e9, 3e9]);
    expect(niceTicks(11.4e9, 3)).toEqual([0, 5e9, 10e9, 15e9]);
    expect(niceTicks(0)).toEqual([0]);
  });

  it('makes time ticks at round local times, whatever points the data has', () => {
    const hour = 3_600_000;
    // 24 h from 13:17 one day to 13:17 the next: every 6 h on the hour, midnight included.
    const first = new Date(2026, 10, 26, 13, 17).getTime();
    const day = timeTicks(first, first + 24 * hour);
    expect(day.step).toBe(6 * hour);
    expect(day.ticks.map((t) => new Date(t).getHours())).toEqual([18, 0, 6, 12]);
    expect(day.ticks.every((t) => new Date(t).getMinutes() === 0)).toBe(true);
    // 6 h: every hour.
    expect(timeTicks(first, first + 6 * hour).ticks).toHaveLength(6);
    // 7 days: each local midnight, across the end of daylight-saving time in many zones.
    const week = timeTicks(new Date(2026, 9, 23, 9).getTime(), new Date(2026, 9, 30, 9).getTime());
    expect(week.ticks).toHaveLength(7);
    expect(week.ticks.every((t) => new Date(t).getHours() === 0)).toBe(true);
    expect(timeTicks(5, 5).ticks).toEqual([5]);
  });
});

describe('path colours', () => {
  it('follow the type and stay distinct for two paths of one type', () => {
    const colors = pathColors([
      path({ name: 'wlan1' }),
      path({ name: 'wlan0' }),
      path({ name: 'wwan0', type: 'cellular' }),
    ]);
    expect(colors('wlan0')).toBe('#3b82f6');
    expect(colors('wlan1')).not.toBe(colors('wlan0'));
    expect(colors('wwan0')).toBe('#f59e0b');
    expect(colors('gone0')).toBe(colors('gone0'));
  });
});

describe('overall status', () => {
  const wifi = path({ name: 'wlan0', addresses: ['198.18.1.2'] });
  const cell = path({ name: 'wwan0', type: 'cellular', metered: true, addresses: ['198.18.2.2'] });
  it('is ok with an unmetered path, on cellular with only metered ones, offline with none', () => {
    expect(overallStatus([wifi, cell], undefined)).toBe('ok');
    expect(overallStatus([{ ...wifi, up: false }, cell], undefined)).toBe('cellular');
    expect(overallStatus([{ ...wifi, preference: 'never' }], undefined)).toBe('offline');
    expect(
      overallStatus([{ ...wifi, health: { status: 'offline', rttMs: null, checkedAt: null } }], undefined),
    ).toBe('offline');
  });
  it('is near-cap from the first threshold on', () => {
    const s = scenario(Date.UTC(2026, 4, 20, 12));
    const usage = {
      ...s.usage,
      paths: s.usage.paths.map((p) => (p.name === 'wwan0' ? { ...p, allBytes: 7.6e9 } : p)),
    };
    expect(overallStatus([wifi], usage, [0.75, 1])).toBe('near-cap');
    expect(overallStatus([wifi], usage, [0.9, 1])).toBe('ok');
  });
});
