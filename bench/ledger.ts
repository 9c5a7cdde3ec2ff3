/**
 * Ledger benchmark (issue 6): what recording costs during a 1 Gbit/s transfer, and how long the
 * dashboard's queries take over a year of history.
 *
 *   npm run bench:ledger [-- --seconds 20]
 *
 * 1. Recording: 125 MB/s of payload reported as the engine does it (one PathBytesEvent per 64 KiB
 *    socket read — far more often than the engine's 250 ms batches, so an upper bound), split
 *    over two paths, plus one observePaths() a second and a flush every 2 s, on a real clock.
 *    Prints CPU ms per second of transfer and as a share of one core.
 * 2. Queries: a database filled with a year of day rows, 90 days of hour rows and 3 days of
 *    minute rows for 4 paths (what the roll-up keeps), then summary() and history() at each
 *    resolution, median of 30 runs.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DatabaseSync } from 'node:sqlite';
import type { PathInfo, Plan } from '../common/contract.ts';
import { dayKey, hourStart, minuteStart } from '../main/ledger/calendar.ts';
import { Ledger } from '../main/ledger/Ledger.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } });
const seconds = Number(values.seconds);
const plan: Plan = {
  capBytes: 20e9,
  cycle: { kind: 'monthly', startDay: 1 },
  pricePerGb: 10,
  overagePricePerGb: 15,
  atCap: 'stop',
  rateLimitBps: null,
  currency: 'EUR',
};
const paths = ['wlan0', 'wwan0', 'usb0', 'eth0'];
const info = (name: string, rx: number): PathInfo => ({
  name,
  type: name === 'wwan0' ? 'cellular' : name === 'wlan0' ? 'wifi' : name === 'usb0' ? 'tether' : 'ethernet',
  addresses: ['198.18.1.2'],
  up: true,
  metered: name === 'wwan0' || name === 'usb0',
  preference: 'always',
  rxBytes: rx,
  txBytes: Math.round(rx / 40),
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function recording() {
  const dir = mkdtempSync(join(tmpdir(), 'pw-bench-ledger-'));
  const { ledger } = Ledger.open({ dataDir: dir, plans: () => ({ wwan0: plan }) });
  ledger.start(2000);
  const rate = 125_000_000;
  const read = 64 * 1024;
  const perMs = rate / 1000;
  let sent = 0;
  let events = 0;
  let counters = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let lastObserve = t0;
  while (performance.now() - t0 < seconds * 1000) {
    const due = (performance.now() - t0) * perMs;
    while (sent + read <= due) {
      const path = events % 2 ? 'wlan0' : 'wwan0';
      ledger.recordPathBytes({ transferId: 't', path, direction: 'down', bytes: read, at: Date.now() });
      // The engine asks its budget at most every 250 ms per path; ask every 64 reads here.
      if (events % 64 === 0) ledger.budgetFor(path);
      sent += read;
      events++;
    }
    if (performance.now() - lastObserve >= 1000) {
      lastObserve = performance.now();
      counters += rate * 1.03;
      ledger.observePaths([info('wlan0', counters / 2), info('wwan0', counters / 2)]);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const elapsed = (performance.now() - t0) / 1000;
  ledger.close();
  const cpu = process.cpuUsage(cpu0);
  // The loop itself (timers, Date.now) costs too: measure it without the ledger.
  const idle0 = process.cpuUsage();
  const i0 = performance.now();
  while (performance.now() - i0 < 3000) await new Promise((resolve) => setTimeout(resolve, 1));
  const idle = process.cpuUsage(idle0);
  const loopMsPerS = (idle.user + idle.system) / 1000 / 3;
  const totalMsPerS = (cpu.user + cpu.system) / 1000 / elapsed;
  rmSync(dir, { recursive: true, force: true });
  return {
    seconds: elapsed,
    mbPerS: sent / elapsed / 1e6,
    eventsPerS: events / elapsed,
    ledgerCpuMsPerS: totalMsPerS - loopMsPerS,
    ledgerCpuPctOfCore: (totalMsPerS - loopMsPerS) / 10,
  };
}

function fillYear(dir: string, now: number): void {
  const { ledger } = Ledger.open({ dataDir: dir });
  ledger.close();
  const db = new DatabaseSync(join(dir, 'ledger.sqlite'));
  const insert = (table: string) =>
    db.prepare(
      `INSERT OR REPLACE INTO ${table} (path, t, app_rx, app_tx, all_rx, all_tx, active_s, bursts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  const day = insert('usage_day');
  const hour = insert('usage_hour');
  const minute = insert('usage_minute');
  db.exec('BEGIN');
  for (const path of paths) {
    for (let d = 0; d < 365; d++) day.run(path, dayKey(now - d * 86_400_000), 3e8, 1e7, 4e8, 2e7, 3600, 40);
    for (let h = 0; h < 90 * 24; h++)
      hour.run(path, hourStart(now - h * 3_600_000), 1e7, 4e5, 2e7, 8e5, 150, 2);
    for (let m = 0; m < 3 * 1440; m++)
      minute.run(path, minuteStart(now - m * 60_000), 2e5, 1e4, 3e5, 2e4, 3, 1);
  }
  db.exec('COMMIT');
  db.close();
}

function queries() {
  const dir = mkdtempSync(join(tmpdir(), 'pw-bench-ledger-year-'));
  const now = Date.now();
  fillYear(dir, now);
  const { ledger } = Ledger.open({ dataDir: dir, plans: () => ({ wwan0: plan, usb0: plan }) });
  ledger.observePaths(paths.map((p) => info(p, 0)));
  const time = (f: () => unknown): number => {
    const runs: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      f();
      runs.push(performance.now() - t);
    }
    return median(runs);
  };
  const result = {
    dbMB: statSync(join(dir, 'ledger.sqlite')).size / 1e6,
    // One new byte each time, so every summary flushes and recomputes its cycle totals.
    summaryMs: time(() => {
      ledger.recordPathBytes({ transferId: 't', path: 'wwan0', direction: 'down', bytes: 1, at: Date.now() });
      ledger.summary();
    }),
    yearByDayMs: time(() => ledger.history({ resolution: 'day', from: now - 366 * 86_400_000, to: now })),
    ninetyDaysByHourMs: time(() =>
      ledger.history({ resolution: 'hour', from: now - 90 * 86_400_000, to: now }),
    ),
    dayByMinuteMs: time(() => ledger.history({ resolution: 'minute', from: now - 86_400_000, to: now })),
    budgetForUs: time(() => ledger.budgetFor('wwan0')) * 1000,
  };
  ledger.close();
  rmSync(dir, { recursive: true, force: true });
  return result;
}

const rec = await recording();
console.log(
  `\nLedger recording at 1 Gbit/s for ${rec.seconds.toFixed(1)} s (${rec.mbPerS.toFixed(0)} MB/s, ${rec.eventsPerS.toFixed(0)} events/s, flush every 2 s)`,
);
console.log(
  `  ledger CPU: ${rec.ledgerCpuMsPerS.toFixed(2)} ms per second = ${rec.ledgerCpuPctOfCore.toFixed(3)} % of one core`,
);
const q = queries();
console.log(`\nQueries over a year of history (4 paths; ${q.dbMB.toFixed(1)} MB database), median of 30:`);
console.log(`  usage.summary                 ${q.summaryMs.toFixed(2)} ms`);
console.log(`  history, year by day          ${q.yearByDayMs.toFixed(2)} ms`);
console.log(`  history, 90 days by hour      ${q.ninetyDaysByHourMs.toFixed(2)} ms`);
console.log(`  history, 24 h by minute       ${q.dayByMinuteMs.toFixed(2)} ms`);
console.log(`  budgetFor (engine, cached)    ${q.budgetForUs.toFixed(1)} µs`);
console.log(`\n${JSON.stringify({ recording: rec, queries: q })}`);
