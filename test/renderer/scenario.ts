/**
 * A realistic afternoon for the dashboard's tests and screenshots: a laptop on café Wi-Fi with an
 * LTE modem and a phone tether, one big download split over two paths, a Wi-Fi drop earlier
 * today, and a cellular plan heading over its cap. Test data only — the product never shows it.
 * Deterministic for a given `now`.
 */
import type {
  Alert,
  Battery,
  ContinuityEvent,
  PathInfo,
  PathUsage,
  Settings,
  ThroughputSample,
  TransferInfo,
  UsagePoint,
  UsageSummary,
} from '../../common/contract.ts';

const GB = 1e9;
const MB = 1e6;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface Scenario {
  now: number;
  paths: PathInfo[];
  transfers: TransferInfo[];
  continuity: ContinuityEvent[];
  usage: UsageSummary;
  alerts: Alert[];
  settings: Settings;
  battery: Battery;
  /** Daily points for the cycle and the year before it, and minute points for the last 7 days. */
  history: { day: UsagePoint[]; hour: UsagePoint[]; minute: UsagePoint[] };
}

/** A small deterministic PRNG so every run draws the same "random" traffic. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function cycleOf(now: number): { start: string; end: string } {
  const d = new Date(now);
  return {
    start: new Date(d.getFullYear(), d.getMonth(), 1).toISOString(),
    end: new Date(d.getFullYear(), d.getMonth() + 1, 1).toISOString(),
  };
}

export function scenarioPaths(): PathInfo[] {
  return [
    {
      name: 'wlan0',
      type: 'wifi',
      addresses: ['198.18.1.2'],
      up: true,
      metered: false,
      meteredSource: 'os',
      preference: 'always',
      ssid: 'Café Lumen',
      signalDbm: -58,
      speedMbps: 144,
      rxRate: 8_400_000,
      txRate: 210_000,
      health: { status: 'good', rttMs: 23, checkedAt: null },
      binding: { mode: 'device', verified: true },
    },
    {
      name: 'wwan0',
      type: 'cellular',
      addresses: ['198.18.2.2'],
      up: true,
      metered: true,
      meteredSource: 'type',
      preference: 'secondary',
      driver: 'qmi_wwan',
      rxRate: 3_100_000,
      txRate: 95_000,
      health: { status: 'good', rttMs: 61, checkedAt: null },
      binding: { mode: 'device', verified: true },
    },
    {
      name: 'usb0',
      type: 'tether',
      addresses: ['172.20.10.4'],
      up: true,
      metered: true,
      meteredSource: 'os',
      preference: 'backup',
      driver: 'ipheth',
      rxRate: 0,
      txRate: 0,
      health: { status: 'degraded', rttMs: 142, checkedAt: null },
      binding: { mode: 'address', verified: null },
    },
    {
      name: 'lo',
      type: 'loopback',
      addresses: ['127.0.0.1', '::1'],
      up: true,
      metered: false,
      preference: 'never',
    },
  ];
}

export function scenario(now: number = Date.now()): Scenario {
  const cycle = cycleOf(now);
  const start = Date.parse(cycle.start);
  const paths = scenarioPaths();
  for (const p of paths) if (p.health) p.health.checkedAt = now - 4_000;
  // One generator for the cycle's days, then the last week's minutes: the same draws every run.
  const rnd = random(7);
  const days = dailyUsage(start, now, rnd);
  const recent = recentUsage(now, rnd);
  const battery = scenarioBattery();
  const usage = usageSummary(cycle, battery, now, days.totals);
  return {
    now,
    paths,
    transfers: [...activeTransfers(now), ...finishedTransfers(now)],
    continuity: scenarioContinuity(now),
    usage,
    alerts: scenarioAlerts(now, usage),
    settings: scenarioSettings(),
    battery,
    history: { day: [...pastUsage(start), ...days.points], hour: recent.hour, minute: recent.minute },
  };
}

/** The ISO downloading over Wi-Fi and LTE (the tether stands by), and a dataset paused in handover mode. */
function activeTransfers(now: number): TransferInfo[] {
  const iso: TransferInfo = {
    id: 't-iso',
    url: 'https://releases.example.org/ubuntu/24.04/ubuntu-24.04.2-desktop-amd64.iso',
    file: '/home/ana/Downloads/ubuntu-24.04.2-desktop-amd64.iso',
    mode: 'aggregate',
    state: 'running',
    size: 6.2 * GB,
    received: 3.94 * GB,
    rate: 11_300_000,
    paths: {
      wlan0: { bytes: 2.81 * GB, rate: 8_200_000, state: 'active' },
      wwan0: { bytes: 1.13 * GB, rate: 3_100_000, state: 'active' },
      usb0: { bytes: 0, rate: 0, state: 'idle' },
    },
    allowedPaths: null,
    rangeSupport: true,
    sha256: null,
    error: null,
    createdAt: now - 6 * MINUTE,
    finishedAt: null,
  };
  const dataset: TransferInfo = {
    id: 't-data',
    url: 'https://data.example.net/exports/sensor-archive-2026-05.parquet',
    file: '/home/ana/Downloads/sensor-archive-2026-05.parquet',
    mode: 'handover',
    state: 'paused',
    size: 840 * MB,
    received: 312 * MB,
    rate: 0,
    paths: {
      wlan0: { bytes: 251 * MB, rate: 0, state: 'idle' },
      wwan0: { bytes: 61 * MB, rate: 0, state: 'idle' },
    },
    allowedPaths: ['wlan0', 'wwan0'],
    rangeSupport: true,
    sha256: null,
    error: null,
    createdAt: now - 52 * MINUTE,
    finishedAt: null,
  };
  return [iso, dataset];
}

/** Firmware downloaded and checked this afternoon, and a report whose link had gone (404). */
function finishedTransfers(now: number): TransferInfo[] {
  const firmware: TransferInfo = {
    id: 't-fw',
    url: 'https://downloads.example.com/firmware/router-fw-v3.2.1.bin',
    file: '/home/ana/Downloads/router-fw-v3.2.1.bin',
    mode: 'aggregate',
    state: 'done',
    size: 48.6 * MB,
    received: 48.6 * MB,
    rate: 0,
    paths: {
      wlan0: { bytes: 31.2 * MB, rate: 0, state: 'idle' },
      wwan0: { bytes: 17.4 * MB, rate: 0, state: 'idle' },
    },
    allowedPaths: null,
    rangeSupport: true,
    sha256: '3f8a1c0e9b7d4a2f6e5c1b0a9d8e7f6c5b4a3928170f6e5d4c3b2a1908f7e6d5',
    error: null,
    createdAt: now - 3 * HOUR,
    finishedAt: now - 3 * HOUR + 9_000,
  };
  const failed: TransferInfo = {
    id: 't-fail',
    url: 'https://files.example.com/shared/quarterly-report.pdf',
    file: '/home/ana/Downloads/quarterly-report.pdf',
    mode: 'interactive',
    state: 'failed',
    size: 12.4 * MB,
    received: 2.1 * MB,
    rate: 0,
    paths: { wlan0: { bytes: 2.1 * MB, rate: 0, state: 'idle' } },
    allowedPaths: null,
    rangeSupport: true,
    sha256: null,
    error: {
      code: 'E_HTTP_STATUS',
      message:
        'The server answered 404 Not Found: the file is no longer there. Check the link and try again.',
    },
    createdAt: now - 5 * HOUR,
    finishedAt: now - 5 * HOUR + 4_000,
  };
  return [firmware, failed];
}

/** When Wi-Fi dropped: 38 minutes ago, or at midnight if that was yesterday (so it falls today). */
function wifiDropAt(now: number): number {
  const today0 = new Date(now);
  today0.setHours(0, 0, 0, 0);
  return Math.max(today0.getTime(), now - 38 * MINUTE);
}

/** Today's Wi-Fi drop and its recovery, and yesterday's cap and restart. */
function scenarioContinuity(now: number): ContinuityEvent[] {
  const wifiDrop = wifiDropAt(now);
  return [
    {
      id: 'c1',
      at: wifiDrop,
      kind: 'failover',
      transferId: 't-iso',
      from: 'wlan0',
      to: 'wwan0',
      bytesLost: 262_144,
      stallMs: 840,
      detail: 'Wi-Fi link went down; 3 unfinished ranges moved to wwan0. Bytes already received were kept.',
    },
    {
      id: 'c2',
      at: wifiDrop + 41_000,
      kind: 'path-restored',
      transferId: null,
      from: null,
      to: 'wlan0',
      bytesLost: 0,
      stallMs: 0,
      detail: 'Wi-Fi is back and its health check passed (23 ms).',
    },
    {
      id: 'c3',
      at: wifiDrop + 43_000,
      kind: 'handover',
      transferId: 't-data',
      from: 'wwan0',
      to: 'wlan0',
      bytesLost: 0,
      stallMs: 0,
      detail: 'Back to the preferred path: handover mode keeps cellular for emergencies.',
    },
    {
      id: 'c4',
      at: now - DAY - 2 * HOUR,
      kind: 'cap-reached',
      transferId: null,
      from: 'usb0',
      to: null,
      bytesLost: 0,
      stallMs: 0,
      detail: 'The per-transfer cap of 200 MB on usb0 was reached; the rest came over wlan0.',
    },
    {
      id: 'c5',
      at: now - DAY - 3 * HOUR,
      kind: 'restart',
      transferId: null,
      from: 'wlan0',
      to: 'wlan0',
      bytesLost: 14_800_000,
      stallMs: 2_300,
      detail: 'The server does not support ranges, so the single stream restarted after the path failed.',
    },
  ];
}

/** Each path's mean bytes a day, and the share of it Pathwise moved. */
const DAILY: Record<string, [number, number]> = {
  wlan0: [1.6 * GB, 0.32],
  wwan0: [0.46 * GB, 0.55],
  usb0: [0.05 * GB, 0.4],
};

type Totals = Record<string, { all: number; app: number; est: number }>;

/** Bytes counted while Pathwise was closed: wlan0's on every Sunday, the rest never. */
export function estimatedOn(path: string, dayStart: number): number {
  return path === 'wlan0' && new Date(dayStart).getDay() === 0 ? 240 * MB : 0;
}

/** A point per path per day of the cycle (weekends quieter, today only so far), and the cycle's totals. */
function dailyUsage(start: number, now: number, rnd: () => number): { points: UsagePoint[]; totals: Totals } {
  const points: UsagePoint[] = [];
  const totals: Totals = {
    wlan0: { all: 0, app: 0, est: 0 },
    wwan0: { all: 0, app: 0, est: 0 },
    usb0: { all: 0, app: 0, est: 0 },
  };
  for (let t = start; t <= now; t += DAY) {
    const elapsed = Math.min(1, (now - t) / DAY);
    for (const [name, [mean, appShare]] of Object.entries(DAILY)) {
      const weekend = [0, 6].includes(new Date(t).getDay());
      const all = Math.round(mean * (0.45 + rnd() * 1.1) * (weekend ? 0.6 : 1) * elapsed);
      const app = Math.round(all * appShare * (0.6 + rnd() * 0.8));
      // Wi-Fi traffic while Pathwise was closed (the laptop's backups overnight), spread over the day.
      const est = estimatedOn(name, t);
      points.push({
        t,
        path: name,
        allBytes: all + est,
        appBytes: Math.min(app, all),
        ...(est > 0 ? { estimatedBytes: est } : {}),
      });
      const total = totals[name] as { all: number; app: number; est: number };
      total.all += all + est;
      total.app += Math.min(app, all);
      total.est += est;
    }
  }
  return { points, totals };
}

/** A year of days before the cycle (for `usage.periods`), from a generator of their own. */
function pastUsage(start: number): UsagePoint[] {
  const rnd = random(11);
  const points: UsagePoint[] = [];
  for (let t = start - 400 * DAY; t < start - DAY / 2; t += DAY) {
    for (const [name, [mean, appShare]] of Object.entries(DAILY)) {
      const weekend = [0, 6].includes(new Date(t).getDay());
      const all = Math.round(mean * (0.45 + rnd() * 1.1) * (weekend ? 0.6 : 1));
      const est = estimatedOn(name, t);
      points.push({
        t,
        path: name,
        allBytes: all + est,
        appBytes: Math.round(all * appShare),
        ...(est > 0 ? { estimatedBytes: est } : {}),
      });
    }
  }
  return points;
}

/** The last 7 days by minute (busy by day, waves and the odd burst), and the same by hour. */
function recentUsage(now: number, rnd: () => number): { minute: UsagePoint[]; hour: UsagePoint[] } {
  const minutePoints: UsagePoint[] = [];
  const hourPoints: UsagePoint[] = [];
  const minute0 = Math.floor(now / MINUTE) * MINUTE;
  for (let t = minute0 - 7 * DAY; t <= minute0; t += MINUTE) {
    const hour = new Date(t).getHours();
    const active = hour >= 8 && hour <= 23 ? 1 : 0.08;
    const wave = 0.5 + 0.5 * Math.sin(t / (47 * MINUTE));
    const burst = rnd() < 0.02 ? 6 : 1;
    for (const [name, [mean]] of Object.entries(DAILY)) {
      const all = Math.round((mean / (16 * 60)) * active * wave * burst * (0.4 + rnd()));
      minutePoints.push({ t, path: name, allBytes: all, appBytes: Math.round(all * 0.4) });
    }
  }
  for (const p of minutePoints) {
    const t = Math.floor(p.t / HOUR) * HOUR;
    const last = hourPoints.findLast((h) => h.t === t && h.path === p.path);
    if (last) {
      last.allBytes += p.allBytes;
      last.appBytes += p.appBytes;
    } else hourPoints.push({ ...p, t });
  }
  return { minute: minutePoints, hour: hourPoints };
}

/** A fresh object each time: tests change what they were given. */
function scenarioBattery(): Battery {
  return { present: true, percent: 64, charging: false, acConnected: false, capacityWh: 56, dischargeW: 9.4 };
}

/** A path's plan as the summary and `usage.periods` price it (the settings below say the same). */
export interface Pricing {
  cap: number | null;
  price: number;
  overage: number;
  fee?: number;
  /** A sliding window: no forecast (it has no end). */
  sliding?: boolean;
}

export const PRICING: Record<string, Pricing> = {
  wlan0: { cap: null, price: 0, overage: 0 },
  wwan0: { cap: 10 * GB, price: 1, overage: 4, fee: 15 },
  usb0: { cap: 5 * GB, price: 2, overage: 10, sliding: true },
};

/** What `bytes` cost under `p`: the fee (for a cycle), the price within the cap and over it. */
export function priceOf(p: Pricing, bytes: number, withFee = true): number {
  const within = p.cap === null ? bytes : Math.min(bytes, p.cap);
  const over = p.cap === null ? 0 : Math.max(0, bytes - p.cap);
  return Math.round(((withFee ? (p.fee ?? 0) : 0) + (within * p.price + over * p.overage) / GB) * 100) / 100;
}

/**
 * The cycle so far per path, forecast at the pace so far as a range (none on usb0's sliding
 * window); wwan0 heads over its 10 GB cap, pays a monthly fee and was corrected to the carrier's
 * figure; part of wlan0's traffic was counted while Pathwise was closed.
 */
function usageSummary(
  cycle: { start: string; end: string },
  battery: Battery,
  now: number,
  totals: Totals,
): UsageSummary {
  const start = Date.parse(cycle.start);
  const elapsedDays = Math.max(1, (now - start) / DAY);
  const cycleDays = (Date.parse(cycle.end) - start) / DAY;
  const pathUsage = (name: string, energyWh: number, extra: Partial<PathUsage> = {}): PathUsage => {
    const total = totals[name] as { all: number; app: number; est: number };
    const pricing = PRICING[name] as Pricing;
    const priced = pricing.price > 0;
    const pace = Math.round((total.all / elapsedDays) * cycleDays);
    const forecastBytes = pricing.sliding ? total.all : pace;
    const range = {
      lowBytes: Math.max(total.all, Math.round(pace * 0.94)),
      highBytes: Math.round(pace * 1.08),
    };
    return {
      name,
      appBytes: total.app,
      allBytes: total.all,
      capBytes: pricing.cap,
      cost: priced ? priceOf(pricing, total.all) : 0,
      forecastBytes,
      forecastCost: priced ? priceOf(pricing, forecastBytes) : 0,
      energyWh,
      energyBatteryPct: (energyWh / 56) * 100,
      currency: priced ? 'USD' : null,
      cycle,
      forecast: pricing.sliding
        ? null
        : {
            ...range,
            lowCost: priced ? priceOf(pricing, range.lowBytes) : 0,
            highCost: priced ? priceOf(pricing, range.highBytes) : 0,
          },
      ...(total.est > 0 ? { estimatedBytes: total.est } : {}),
      ...(pricing.fee ? { feeCost: pricing.fee } : {}),
      ...extra,
    };
  };
  return {
    cycle,
    battery,
    paths: [
      pathUsage('wlan0', 1.9),
      // Of its bytes, 180 MB were added to match the carrier's app (allBytes includes them).
      pathUsage('wwan0', 4.7, { adjustedBytes: 180 * MB }),
      pathUsage('usb0', 0.6),
    ],
  };
}

/** Two unread cap warnings for wwan0, then read ones: the Wi-Fi handover and two finished downloads. */
function scenarioAlerts(now: number, usage: UsageSummary): Alert[] {
  return [
    {
      id: 'a1',
      kind: 'cap-forecast',
      severity: 'warning',
      path: 'wwan0',
      transferId: null,
      title: 'wwan0 is on pace to exceed its 10 GB cap',
      message: `At the current pace wwan0 uses ${((usage.paths[1]?.forecastBytes ?? 0) / GB).toFixed(
        1,
      )} GB by the end of the cycle. Set it to Backup to keep bulk transfers off cellular.`,
      at: now - 25 * MINUTE,
      read: false,
    },
    {
      id: 'a2',
      kind: 'cap-threshold',
      severity: 'warning',
      path: 'wwan0',
      transferId: null,
      title: 'wwan0 has used 75% of its plan',
      message: '7.5 GB of 10 GB used; the plan resets on the 1st.',
      at: now - 2 * HOUR,
      read: false,
    },
    {
      id: 'a3',
      kind: 'handover',
      severity: 'info',
      path: 'wlan0',
      transferId: 't-iso',
      title: 'Wi-Fi dropped; downloads continued on wwan0',
      message: 'ubuntu-24.04.2-desktop-amd64.iso kept going over cellular; 262 kB had to be fetched again.',
      at: wifiDropAt(now),
      read: true,
    },
    {
      id: 'a4',
      kind: 'transfer-done',
      severity: 'info',
      path: null,
      transferId: 't-fw',
      title: 'router-fw-v3.2.1.bin downloaded',
      message: '48.6 MB in 9 s over wlan0 and wwan0; SHA-256 verified.',
      at: now - 3 * HOUR + 9_000,
      read: true,
    },
    {
      id: 'a5',
      kind: 'transfer-failed',
      severity: 'critical',
      path: null,
      transferId: 't-fail',
      title: 'quarterly-report.pdf failed',
      message: 'The server answered 404 Not Found: the file is no longer there.',
      at: now - 5 * HOUR + 4_000,
      read: true,
    },
  ];
}

/** Plans for the two metered paths (wwan0 slows at its cap, usb0 stops), and the rest as a user leaves it. */
function scenarioSettings(): Settings {
  return {
    preferences: { wlan0: 'always', wwan0: 'secondary', usb0: 'backup' },
    overrides: {},
    plans: {
      wwan0: {
        capBytes: 10 * GB,
        cycle: { kind: 'monthly', startDay: 1 },
        pricePerGb: 1,
        overagePricePerGb: 4,
        atCap: 'rate-limit',
        rateLimitBps: 125_000,
        currency: 'USD',
        monthlyFee: 15,
      },
      usb0: {
        capBytes: 5 * GB,
        cycle: { kind: 'rolling30' },
        pricePerGb: 2,
        overagePricePerGb: 10,
        atCap: 'stop',
        rateLimitBps: null,
        currency: 'USD',
      },
    },
    capThresholds: [0.75, 1],
    probeUrl: 'http://127.0.0.1:9/generate_204',
    probeIntervalMs: 30_000,
    downloadDir: '/home/ana/Downloads',
    notifications: true,
    launchAtLogin: true,
  };
}

/** Live throughput samples ending at `now`, one a second: what the core pushes while the ISO downloads. */
export function throughputSamples(now: number, count: number, seed = 3): ThroughputSample[] {
  const rnd = random(seed);
  const samples: ThroughputSample[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const t = Math.floor(now / 1000) * 1000 - i * 1000;
    const phase = t / 1000;
    const wifiApp = Math.max(0, 7_900_000 + 900_000 * Math.sin(phase / 9) + (rnd() - 0.5) * 1_400_000);
    const cellApp = Math.max(0, 3_000_000 + 500_000 * Math.sin(phase / 13 + 1) + (rnd() - 0.5) * 700_000);
    samples.push({
      t,
      paths: {
        wlan0: {
          appRate: wifiApp,
          rxRate: wifiApp + 250_000 + rnd() * 150_000,
          txRate: 180_000 + rnd() * 60_000,
        },
        wwan0: { appRate: cellApp, rxRate: cellApp + 30_000 * rnd(), txRate: 80_000 + rnd() * 30_000 },
        usb0: { appRate: 0, rxRate: 2_000 * rnd(), txRate: 1_000 * rnd() },
      },
    });
  }
  return samples;
}
