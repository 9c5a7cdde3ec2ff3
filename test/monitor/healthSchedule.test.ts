import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HealthStatus, PathInfo } from '../../common/contract.ts';
import type { PathBytesEvent } from '../../main/base/budget.ts';
import { ALIVE_RX_BPS, BATTERY_MAX_MS, SHORT_PROBE_MIN_MS } from '../../main/monitor/healthRules.ts';
import { probeDelayMs, ProbeScheduler, shortProbeMs } from '../../main/monitor/ProbeScheduler.ts';
import { HealthProber, type ProbeCall, type ProbeResult } from '../../main/network/HealthProber.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 10, 12);

function pathInfo(name: string, over: Partial<PathInfo> = {}): PathInfo {
  return {
    name,
    type: 'wifi',
    addresses: ['198.18.1.2'],
    up: true,
    metered: false,
    preference: 'always',
    ...over,
  };
}

/** What one real probe costs: measured once against a 204 endpoint on loopback, before the fake clock. */
let realProbe = { sent: 0, received: 0 };
let server: Server;
beforeAll(async () => {
  server = http.createServer((_req, res) => res.writeHead(204).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const prober = new HealthProber({ url: () => `http://127.0.0.1:${port}/generate_204` });
  const result = await prober.probe({ name: 'lo', addresses: ['127.0.0.1'] }, { retry: false });
  expect(result.health.status).toBe('good');
  realProbe = { sent: result.bytesSent, received: result.bytesReceived };
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => {
  vi.useRealTimers();
});

/** A scheduler over fake paths whose prober answers at once with `status`, costing what a real probe costs. */
function lab(paths: PathInfo[], options: { onBattery?: () => boolean; receiving?: number } = {}) {
  // The interface's receive counter, growing at `receiving` bytes per second of the (fake) clock.
  const rxBytes = (): number => ((Date.now() - T0) * (options.receiving ?? 0)) / 1000;
  const calls: Array<{ name: string; at: number; call: ProbeCall }> = [];
  const status = new Map<string, HealthStatus>();
  const bytes: PathBytesEvent[] = [];
  const slow: string[] = [];
  const prober = {
    probe: async (target: { name: string }, call: ProbeCall = {}): Promise<ProbeResult> => {
      calls.push({ name: target.name, at: Date.now() - T0, call });
      const s = status.get(target.name) ?? 'good';
      const answered = s !== 'offline';
      // Where the interface is receiving, an unanswered probe takes its whole deadline, as in life.
      if (!answered && options.receiving) await new Promise((r) => setTimeout(r, call.timeoutMs ?? 2000));
      return {
        health: { status: s, rttMs: answered ? 20 : null, checkedAt: Date.now() },
        // A probe that gets no answer never sends its request: no payload either way.
        bytesSent: answered ? realProbe.sent : 0,
        bytesReceived: answered ? realProbe.received : 0,
      };
    },
  };
  const scheduler = new ProbeScheduler(prober, {
    running: () => true,
    find: (name) => paths.find((p) => p.name === name),
    probeUrl: () => 'http://198.19.0.1:8204/generate_204',
    intervalMs: () => 30_000,
    onBattery: options.onBattery ?? (() => false),
    rxBytes,
    onSlow: (name) => slow.push(name),
    onBytes: (event) => bytes.push(event),
    onHealth: () => undefined,
  });
  const of = (name: string) => calls.filter((c) => c.name === name);
  return { scheduler, status, bytes, slow, of };
}

describe('probes: short and at once when a path is suspect', () => {
  it('confirms a suspicion with one short probe at once, then probes for its return every half second', async () => {
    vi.useFakeTimers({ now: T0 });
    const { scheduler, status, of } = lab([pathInfo('wlan0')]);
    scheduler.schedule('wlan0', 0);
    await vi.advanceTimersByTimeAsync(0);
    expect(of('wlan0')).toHaveLength(1);
    expect(of('wlan0')[0]?.call).toEqual({ retry: false });
    status.set('wlan0', 'offline');
    expect(scheduler.suspect('wlan0', 'No data arrived over wlan0 for 1.1 s.')).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(of('wlan0')[1]?.call).toEqual({ retry: false, timeoutMs: SHORT_PROBE_MIN_MS });
    expect(scheduler.healthOf('wlan0')?.status).toBe('offline');
    await vi.advanceTimersByTimeAsync(2000);
    expect(
      of('wlan0')
        .slice(2)
        .map((c) => c.at),
    ).toEqual([500, 1000, 1500, 2000]);
    expect(
      of('wlan0')
        .slice(2)
        .every((c) => c.call.timeoutMs === SHORT_PROBE_MIN_MS),
    ).toBe(true);
    status.set('wlan0', 'good');
    await vi.advanceTimersByTimeAsync(500);
    expect(scheduler.healthOf('wlan0')?.status).toBe('good');
    // Up again: routine probes every interval.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(
      of('wlan0')
        .slice(-2)
        .map((c) => c.at),
    ).toEqual([32_500, 62_500]);
    scheduler.stop();
  });

  it('a short probe scales with a slow path’s RTT', () => {
    expect(shortProbeMs(null)).toBe(SHORT_PROBE_MIN_MS);
    expect(shortProbeMs(450)).toBe(1800);
    expect(shortProbeMs(5000)).toBe(3000);
  });

  it('a suspect path still receiving is slow, not dead: degraded, and the throughput judge hears of it', async () => {
    vi.useFakeTimers({ now: T0 });
    const { scheduler, status, slow } = lab([pathInfo('wlan0')], { receiving: 4 * ALIVE_RX_BPS });
    scheduler.schedule('wlan0', 0);
    await vi.advanceTimersByTimeAsync(0);
    status.set('wlan0', 'offline');
    scheduler.suspect('wlan0', 'No data arrived over wlan0 for 1.1 s.');
    await vi.advanceTimersByTimeAsync(SHORT_PROBE_MIN_MS);
    expect(scheduler.healthOf('wlan0')).toMatchObject({ status: 'degraded' });
    expect(scheduler.healthOf('wlan0')?.detail).toBe(
      'Slow: a probe got no answer within 0.8 s while 1.0 Mbit/s still arrive over wlan0.',
    );
    expect(slow).toEqual(['wlan0']);
    scheduler.stop();
  });

  it('a dead path’s trickle (a server retransmitting into a blackhole) is no sign of life: offline', async () => {
    vi.useFakeTimers({ now: T0 });
    const { scheduler, status, slow } = lab([pathInfo('wlan0')], { receiving: ALIVE_RX_BPS / 10 });
    scheduler.schedule('wlan0', 0);
    await vi.advanceTimersByTimeAsync(0);
    status.set('wlan0', 'offline');
    scheduler.suspect('wlan0', 'No data arrived over wlan0 for 1.1 s.');
    await vi.advanceTimersByTimeAsync(SHORT_PROBE_MIN_MS);
    expect(scheduler.healthOf('wlan0')?.status).toBe('offline');
    expect(slow).toEqual([]);
    scheduler.stop();
  });
});

describe('probes: what they cost', () => {
  it('back off on battery: an unmetered path doubles up to BATTERY_MAX_MS, a frugal one further', () => {
    const wifi = pathInfo('wlan0');
    const cell = pathInfo('wwan0', { type: 'cellular', metered: true });
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => probeDelayMs(wifi, 30_000, n, true) / 1000)).toEqual([
      30,
      30,
      60,
      120,
      240,
      480,
      BATTERY_MAX_MS / 1000,
    ]);
    expect([1, 4, 5, 9].map((n) => probeDelayMs(cell, 30_000, n, true) / MIN)).toEqual([2, 16, 30, 30]);
    expect(probeDelayMs(wifi, 30_000, 9, false)).toBe(30_000);
  });

  it('a metered path over an hour: few probes, and every byte of them counted for the ledger', async () => {
    vi.useFakeTimers({ now: T0 });
    let battery = false;
    const cell = pathInfo('wwan0', { type: 'cellular', metered: true });
    const wifi = pathInfo('wlan0');
    const { scheduler, bytes, of } = lab([cell, wifi], { onBattery: () => battery });
    scheduler.schedule('wwan0', 0);
    scheduler.schedule('wlan0', 0);
    await vi.advanceTimersByTimeAsync(60 * MIN);
    const onAc = of('wwan0').length;
    const wifiOnAc = of('wlan0').length;
    const counted = bytes.filter((b) => b.path === 'wwan0').reduce((n, b) => n + b.bytes, 0);
    const perProbe = realProbe.sent + realProbe.received;
    console.log(
      `probes: wwan0 (metered) on AC, one hour: ${onAc} probes, ${counted} B (${perProbe} B each); wlan0 (unmetered): ${of('wlan0').length} probes`,
    );
    expect(onAc).toBe(7);
    expect(counted).toBe(onAc * perProbe);
    expect(bytes.every((b) => b.transferId === 'health-probe')).toBe(true);
    expect(scheduler.bytesOf('wwan0')).toEqual({
      sent: onAc * realProbe.sent,
      received: onAc * realProbe.received,
    });

    // The next hour on battery: fewer still, on both paths.
    battery = true;
    scheduler.schedule('wwan0', 0);
    scheduler.schedule('wlan0', 0);
    const [cellBefore, wifiBefore] = [of('wwan0').length, of('wlan0').length];
    await vi.advanceTimersByTimeAsync(60 * MIN);
    const [cellOnBattery, wifiOnBattery] = [of('wwan0').length - cellBefore, of('wlan0').length - wifiBefore];
    console.log(
      `probes: on battery, one hour: wwan0 ${cellOnBattery} probes (${cellOnBattery * perProbe} B), wlan0 ${wifiOnBattery}`,
    );
    expect(cellOnBattery).toBeLessThan(onAc);
    expect(wifiOnAc).toBe(121);
    expect(wifiOnBattery).toBeLessThan(wifiOnAc / 10);
    scheduler.stop();
  });
});
