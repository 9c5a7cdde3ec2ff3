import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HealthStatus, PathInfo } from '../../common/contract.ts';
import type { ProbeResult } from '../../main/network/HealthProber.ts';
import {
  FRUGAL_FIRST_MS,
  FRUGAL_MAX_MS,
  probeDelayMs,
  ProbeScheduler,
} from '../../main/monitor/ProbeScheduler.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 10, 12);

function pathInfo(name: string, over: Partial<PathInfo> = {}): PathInfo {
  return {
    name,
    type: 'ethernet',
    addresses: ['198.18.1.2'],
    up: true,
    metered: false,
    preference: 'always',
    ...over,
  };
}

/** A scheduler over fake paths and a fake prober that answers at once with `status`. */
function lab(paths: PathInfo[]) {
  const probes: Array<{ name: string; at: number }> = [];
  const status = new Map<string, HealthStatus>();
  const prober = {
    probe: async (target: { name: string }): Promise<ProbeResult> => {
      probes.push({ name: target.name, at: Date.now() - T0 });
      const health = { status: status.get(target.name) ?? 'good', rttMs: 20, checkedAt: Date.now() };
      return { health, bytesSent: 150, bytesReceived: 120 };
    },
  };
  const scheduler = new ProbeScheduler(prober, {
    running: () => true,
    find: (name) => paths.find((p) => p.name === name),
    probeUrl: () => 'http://198.18.0.1/generate_204',
    intervalMs: () => 30_000,
    onBytes: () => undefined,
    onHealth: () => undefined,
  });
  /** Minutes (from the start) at which `name` was probed. */
  const minutes = (name: string): number[] => probes.filter((p) => p.name === name).map((p) => p.at / MIN);
  return { scheduler, status, minutes };
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('probe schedule', () => {
  it('probes an unmetered path every interval, and a metered one ever less while it stays good', async () => {
    const { scheduler, minutes } = lab([
      pathInfo('eth0'),
      pathInfo('wwan0', { type: 'cellular', metered: true }),
    ]);
    scheduler.schedule('eth0', 0);
    scheduler.schedule('wwan0', 0);
    await vi.advanceTimersByTimeAsync(60 * MIN);
    expect(minutes('eth0')).toHaveLength(121);
    // 2, 4, 8, then every 15 minutes: 7 probes in the hour instead of 121.
    expect(minutes('wwan0')).toEqual([0, 2, 6, 14, 29, 44, 59]);
    scheduler.stop();
  });

  it('backs off a tether and a path the user marked metered alike, and keeps a longer interval of the user’s', () => {
    const tether = pathInfo('usb0', { type: 'tether', metered: false });
    const meteredWifi = pathInfo('wlan0', { type: 'wifi', metered: true });
    const wifi = pathInfo('wlan1', { type: 'wifi' });
    expect([0, 1, 2, 3, 4, 9].map((n) => probeDelayMs(tether, 30_000, n) / MIN)).toEqual([
      2, 2, 4, 8, 15, 15,
    ]);
    expect(probeDelayMs(meteredWifi, 30_000, 3)).toBe(8 * MIN);
    expect(probeDelayMs(wifi, 30_000, 9)).toBe(30_000);
    expect(probeDelayMs(tether, 3_600_000, 0)).toBe(3_600_000);
    expect(FRUGAL_FIRST_MS).toBeLessThan(FRUGAL_MAX_MS);
  });

  it('probes at once on a link change or a suspected failure, and starts the back-off over', async () => {
    const { scheduler, status, minutes } = lab([pathInfo('wwan0', { type: 'cellular', metered: true })]);
    scheduler.schedule('wwan0', 0);
    await vi.advanceTimersByTimeAsync(20 * MIN);
    expect(minutes('wwan0')).toEqual([0, 2, 6, 14]);
    // The address changed (the monitor schedules at once): probed now, then 2 minutes on.
    scheduler.schedule('wwan0', 0);
    await vi.advanceTimersByTimeAsync(3 * MIN);
    expect(minutes('wwan0')).toEqual([0, 2, 6, 14, 20, 22]);
    // Traffic got no answer (the monitor's silent-path check): suspect, and a short probe at once.
    status.set('wwan0', 'offline');
    expect(scheduler.suspect('wwan0', 'Packets went out over wwan0 for 2 s and nothing came back.')).toBe(
      true,
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(minutes('wwan0')).toEqual([0, 2, 6, 14, 20, 22, 23]);
    expect(scheduler.healthOf('wwan0')?.status).toBe('offline');
    // Offline with its link up: every 0.5 s for a minute (a path that returns is up within ~2 s),
    // then ever less often, up to the frugal path's 2 minutes.
    await vi.advanceTimersByTimeAsync(MIN);
    expect(minutes('wwan0').filter((m) => m > 23 && m <= 24)).toHaveLength(120);
    await vi.advanceTimersByTimeAsync(20 * MIN);
    const late = minutes('wwan0').filter((m) => m > 30);
    expect(late.length).toBeGreaterThan(2);
    expect(late.slice(1).map((m, i) => Math.round((m - (late[i] ?? 0)) * 60))).toEqual(
      late.slice(1).map(() => 120),
    );
    status.set('wwan0', 'good');
    const back = minutes('wwan0').length;
    await vi.advanceTimersByTimeAsync(2 * MIN);
    expect(scheduler.healthOf('wwan0')?.status).toBe('good');
    // Good again: the back-off starts over from 2 minutes.
    const after = minutes('wwan0').slice(back);
    expect(after).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2 * MIN);
    expect(minutes('wwan0').slice(back)).toEqual([after[0], (after[0] ?? 0) + 2]);
    scheduler.stop();
  });
});

describe('probe schedule: starting over', () => {
  it('starts over when the engine asks for a probe (a stall), and after the path was down', async () => {
    const paths = [pathInfo('usb0', { type: 'tether', metered: true })];
    const { scheduler, minutes } = lab(paths);
    scheduler.schedule('usb0', 0);
    await vi.advanceTimersByTimeAsync(10 * MIN);
    expect(minutes('usb0')).toEqual([0, 2, 6]);
    await scheduler.run('usb0');
    await vi.advanceTimersByTimeAsync(3 * MIN);
    expect(minutes('usb0')).toEqual([0, 2, 6, 10, 12]);
    scheduler.forget('usb0');
    await vi.advanceTimersByTimeAsync(30 * MIN);
    expect(minutes('usb0')).toEqual([0, 2, 6, 10, 12]);
    scheduler.schedule('usb0', 0);
    await vi.advanceTimersByTimeAsync(3 * MIN);
    expect(minutes('usb0')).toEqual([0, 2, 6, 10, 12, 43, 45]);
    scheduler.stop();
  });
});
