/**
 * The health verdict's figures (issue 23), for `npm run bench:monitor`: each case `runs` times in
 * the health lab (test/support/healthLab.ts), a fresh app each time (so one run's outage is not
 * the next one's flapping), median and worst printed:
 *  - a blackhole of wlan0 under a download: the blackhole (and the last byte seen) → offline;
 *  - the blackhole lifted: → up;
 *  - a blackhole of eth0 while idle, probes every `idleIntervalMs`: → offline;
 *  - wlan0 weakened from 40 to 1 Mbit under a handover download: → degraded;
 * and what probes cost per hour on each kind of path, on AC and on battery (ProbeScheduler's
 * schedule, times the bytes of a real probe measured in the lab).
 */
import type { PathInfo } from '../common/contract.ts';
import { probeDelayMs } from '../main/monitor/ProbeScheduler.ts';
import { createHealthLab, HealthApp, medianWorst, weaken } from '../test/support/healthLab.ts';
import type { NetLab } from '../test/support/netns.ts';

export interface HealthFigures {
  runs: number;
  offlineUnderTrafficMs: number[];
  offlineAfterLastByteMs: number[];
  upAfterRestoreMs: number[];
  offlineIdleMs: number[];
  idleIntervalMs: number;
  degradedMs: number[];
  probeBytes: number;
  probeBytesPerHour: Record<string, number>;
}

async function underTraffic(lab: NetLab, figures: HealthFigures): Promise<void> {
  const app = await HealthApp.start(lab, {
    probeIntervalMs: 30_000,
    preferences: { wlan0: 'always', wwan0: 'backup', eth0: 'never', usb0: 'never' },
  });
  try {
    await app.state('wlan0', 'up', 0);
    const id = await app.download({ mode: 'aggregate' });
    await app.until(id, (t) => (t.paths['wlan0']?.bytes ?? 0) > 8_000_000);
    const from = app.mark;
    // Timed from before the command: its first rule already takes effect (conservative).
    const at = Date.now();
    await lab.blackhole('wlan0');
    const offline = await app.state('wlan0', 'offline', from);
    const lastByte = app.lastByteAt(id, 'wlan0', app.out.lines.indexOf(JSON.stringify(offline))) ?? at;
    figures.offlineUnderTrafficMs.push(offline.t - at);
    figures.offlineAfterLastByteMs.push(offline.t - Math.max(at, lastByte));
    const back = app.mark;
    // Timed from before the command: its first rule already takes effect (conservative).
    const restoredAt = Date.now();
    await lab.unblackhole('wlan0');
    figures.upAfterRestoreMs.push((await app.state('wlan0', 'up', back)).t - restoredAt);
  } finally {
    await lab.unblackhole('wlan0');
    await app.stop();
  }
}

async function idle(lab: NetLab, figures: HealthFigures): Promise<void> {
  const app = await HealthApp.start(lab, { probeIntervalMs: figures.idleIntervalMs });
  try {
    await app.state('eth0', 'up', 0);
    // Blackholed anywhere in the interval, as it happens in life.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * figures.idleIntervalMs));
    const from = app.mark;
    // Timed from before the command: its first rule already takes effect (conservative).
    const at = Date.now();
    await lab.blackhole('eth0');
    figures.offlineIdleMs.push(
      (await app.state('eth0', 'offline', from, 3 * figures.idleIntervalMs + 30_000)).t - at,
    );
  } finally {
    await lab.unblackhole('eth0');
    await app.stop();
  }
}

async function weakened(lab: NetLab, figures: HealthFigures): Promise<void> {
  const app = await HealthApp.start(lab, {
    probeIntervalMs: 30_000,
    preferences: { wlan0: 'always', eth0: 'secondary', wwan0: 'never', usb0: 'never' },
  });
  try {
    await app.state('wlan0', 'up', 0);
    const id = await app.download({ mode: 'handover' });
    await app.until(id, (t) => (t.paths['wlan0']?.bytes ?? 0) > 10_000_000);
    const from = app.mark;
    // Timed from before the command (conservative).
    const at = Date.now();
    await weaken(lab, 'wlan0', 1);
    figures.degradedMs.push((await app.state('wlan0', 'degraded', from)).t - at);
  } finally {
    await lab.shape('wlan0', 40);
    await app.stop();
  }
}

/** A probe's bytes in the lab (the app's own count, which the ledger books), and a day's schedule. */
async function probeCost(lab: NetLab, figures: HealthFigures): Promise<void> {
  const app = await HealthApp.start(lab, { probeIntervalMs: 30_000 });
  try {
    const up = await app.state('eth0', 'up', 0);
    figures.probeBytes = (up.path as PathInfo | undefined)?.probeBytes ?? 0;
  } finally {
    await app.stop();
  }
  const kinds: Record<string, PathInfo> = {
    'Wi-Fi': { name: 'wlan0', type: 'wifi', addresses: [], up: true, metered: false, preference: 'always' },
    cellular: {
      name: 'wwan0',
      type: 'cellular',
      addresses: [],
      up: true,
      metered: true,
      preference: 'backup',
    },
  };
  for (const [kind, path] of Object.entries(kinds)) {
    for (const battery of [false, true]) {
      let count = 0;
      let good = 0;
      // The second hour of a steady day: the back-off has settled.
      for (let t = 0; t < 2 * 3_600_000; t += probeDelayMs(path, 30_000, good++, battery))
        if (t >= 3_600_000) count++;
      figures.probeBytesPerHour[`${kind}${battery ? ', battery' : ', AC'}`] = count * figures.probeBytes;
    }
  }
}

export async function measureHealth(runs: number, idleIntervalMs: number): Promise<HealthFigures> {
  const figures: HealthFigures = {
    runs,
    offlineUnderTrafficMs: [],
    offlineAfterLastByteMs: [],
    upAfterRestoreMs: [],
    offlineIdleMs: [],
    idleIntervalMs,
    degradedMs: [],
    probeBytes: 0,
    probeBytesPerHour: {},
  };
  const lab = await createHealthLab();
  try {
    await probeCost(lab, figures);
    for (let i = 0; i < runs; i++) await underTraffic(lab, figures);
    for (let i = 0; i < runs; i++) await idle(lab, figures);
    for (let i = 0; i < runs; i++) await weakened(lab, figures);
  } finally {
    await lab.destroy();
  }
  return figures;
}

export function printHealth(f: HealthFigures): void {
  const row = (what: string, values: number[], target: string): void => {
    const { median, worst } = medianWorst(values);
    console.log(
      `${what.padEnd(52)} ${median.toFixed(0).padStart(6)} ms ${worst.toFixed(0).padStart(7)} ms   ${target}`,
    );
  };
  console.log(`\nHealth verdict (median and worst of ${f.runs}, a fresh app each run):\n`);
  console.log(`${'case'.padEnd(52)} ${'median'.padStart(9)} ${'worst'.padStart(10)}   target`);
  row('wlan0 blackholed under traffic → offline', f.offlineUnderTrafficMs, '');
  row('  … from the last byte seen', f.offlineAfterLastByteMs, '≤ 3000 ms');
  row('blackhole lifted → up', f.upAfterRestoreMs, '≤ 2000 ms');
  row(
    `eth0 blackholed while idle → offline (probes every ${f.idleIntervalMs / 1000} s)`,
    f.offlineIdleMs,
    'one interval + a probe',
  );
  row('wlan0 40 → 1 Mbit under a download → degraded', f.degradedMs, '');
  console.log(`\nProbe: ${f.probeBytes} B (request + answer). Per hour, once settled:`);
  for (const [kind, bytes] of Object.entries(f.probeBytesPerHour))
    console.log(`  ${kind.padEnd(18)} ${bytes} B`);
}
