import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Alert, PathInfo, TransferInfo, UsageSummary } from '../../common/contract.ts';
import { Ledger } from '../../main/ledger/Ledger.ts';
import { testEnv } from '../support/cli.ts';
import { startLabRangeServer } from '../support/labServer.ts';
import { NetLab, SERVER_ADDRESS } from '../support/netns.ts';
import { describeNeeding, netnsNeeds } from '../support/rootOnly.ts';

const APP = fileURLToPath(new URL('../support/appInLab.ts', import.meta.url));
const SIZE = 12_000_000;
const URL_ = `http://${SERVER_ADDRESS}:8080/file.bin`;

describeNeeding(netnsNeeds())('the ledger on real transfers in namespaces', () => {
  let lab: NetLab;
  beforeAll(async () => {
    lab = await NetLab.create([
      { name: 'wlan0', downMbit: 24 },
      { name: 'wwan0', downMbit: 16 },
    ]);
    await startLabRangeServer(lab, SIZE, 3);
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('records per-path bytes that match the interfaces’ own counters within 2%', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pw-ledger-net-'));
    const before = { wlan0: await lab.counters('wlan0'), wwan0: await lab.counters('wwan0') };
    const child = lab.spawnIn(
      'client',
      process.execPath,
      ['--disable-warning=ExperimentalWarning', APP, dataDir, URL_, 'wwan0=secondary'],
      { env: testEnv({ PATHWISE_PROBE_URL: `http://${SERVER_ADDRESS}:8080/generate_204` }) },
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const after = { wlan0: await lab.counters('wlan0'), wwan0: await lab.counters('wwan0') };
    expect(code, stderr).toBe(0);
    const { transfer, usage, alerts } = JSON.parse(stdout.trim().split('\n').pop() as string) as {
      transfer: TransferInfo;
      usage: UsageSummary;
      alerts: Alert[];
    };
    expect(transfer.state).toBe('done');
    for (const name of ['wlan0', 'wwan0'] as const) {
      const recorded = usage.paths.find((p) => p.name === name);
      const link = after[name].rx - before[name].rx + (after[name].tx - before[name].tx);
      const payload = transfer.paths[name]?.bytes ?? 0;
      console.log(
        `${name}: ledger all ${recorded?.allBytes} / link ${link} = ${((recorded?.allBytes ?? 0) / link).toFixed(4)}; ` +
          `app ${recorded?.appBytes} (payload ${payload}) / link = ${((recorded?.appBytes ?? 0) / link).toFixed(4)}`,
      );
      expect(payload, name).toBeGreaterThan(1_000_000);
      // All traffic: the ledger's reading of the OS counters vs the lab's own.
      expect(recorded?.allBytes, name).toBeGreaterThan(link * 0.98);
      expect(recorded?.allBytes, name).toBeLessThan(link * 1.02);
      // The app's bytes: payload plus probes, a bit under what crossed the wire (headers).
      expect(recorded?.appBytes, name).toBeGreaterThanOrEqual(payload);
      expect(recorded?.appBytes, name).toBeLessThanOrEqual(link);
      expect(recorded?.appBytes, name).toBeGreaterThan(link * 0.9);
    }
    expect(alerts.some((a) => a.kind === 'transfer-done')).toBe(true);
    // Issue 20 case 2: Pathwise's own download over cellular, Wi-Fi up beside it, is not "other
    // apps" (its payload is less than the wire's bytes, and its reports lag the counters).
    expect(alerts.filter((a) => a.kind === 'unexpected-cellular')).toEqual([]);
  });

  it('counts real counters once with a `pathwise get` beside the app and across a restart (issue 20 case 1)', () =>
    countsOnceBesideGet(lab));

  it('books traffic while the app was closed to the closed time, as an estimate (issue 20 case 8)', () =>
    booksClosedTime(lab));
});

/** wwan0 as the monitor reports it, with the lab's real counters. */
async function wwan0Path(lab: NetLab): Promise<PathInfo> {
  const c = await lab.counters('wwan0');
  return {
    ...{ name: 'wwan0', type: 'cellular', addresses: ['198.18.2.2'], up: true, metered: true },
    ...{ preference: 'always', rxBytes: c.rx, txBytes: c.tx },
  };
}

// The app is closed for three hours (a clock the test moves) while curl fetches over wwan0.
async function booksClosedTime(lab: NetLab): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pw-ledger-net-closed-'));
  let offset = 0;
  const open = (): Ledger =>
    Ledger.open({ dataDir, bootId: () => 'lab-boot', now: () => Date.now() + offset }).ledger;
  const start = await lab.settledCounters('wwan0');
  let app = open();
  app.observePaths([await wwan0Path(lab)]);
  offset += 1000;
  app.observePaths([await wwan0Path(lab)]);
  app.flush();
  app.close();
  offset += 3 * 3_600_000;
  await lab.inClient(['curl', '-s', '-o', '/dev/null', '--interface', 'wwan0', URL_]);
  const closed = await lab.settledCounters('wwan0');
  app = open();
  app.observePaths([await wwan0Path(lab)]);
  offset += 1000;
  app.observePaths([await wwan0Path(lab)]);
  app.flush();
  const now = Date.now() + offset;
  const days = app.history({ resolution: 'day', from: now - 3 * 86_400_000, to: now + 86_400_000 });
  app.close();
  const all = days.filter((d) => d.path === 'wwan0').reduce((n, d) => n + d.allBytes, 0);
  const estimated = days.filter((d) => d.path === 'wwan0').reduce((n, d) => n + (d.estimatedBytes ?? 0), 0);
  const whileClosed = closed.rx - start.rx + (closed.tx - start.tx);
  console.log(
    `closed: ledger all ${all}, estimated ${estimated} / link while closed ${whileClosed} = ${(estimated / whileClosed).toFixed(4)}`,
  );
  expect(whileClosed).toBeGreaterThan(SIZE);
  expect(estimated).toBeGreaterThan(whileClosed * 0.98);
  expect(estimated).toBeLessThanOrEqual(whileClosed);
  expect(all).toBeGreaterThan(whileClosed * 0.98);
  expect(all).toBeLessThan(whileClosed * 1.02);
}

// The app and a `pathwise get` on one database: the OS counters are read by one owner only.
async function countsOnceBesideGet(lab: NetLab): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pw-ledger-net-owner-'));
  const wwan0 = (): Promise<PathInfo> => wwan0Path(lab);
  const fetchOver = (): Promise<string> =>
    lab.inClient(['curl', '-s', '-o', '/dev/null', '--interface', 'wwan0', URL_]);
  const open = (): Ledger => Ledger.open({ dataDir, bootId: () => 'lab-boot' }).ledger;
  const start = await lab.settledCounters('wwan0');
  let app = open();
  app.observePaths([await wwan0()]);
  app.observePaths([await wwan0()]);
  app.flush(); // a stored baseline, which the other process must never write back
  // A `pathwise get` beside the app: its own ledger on the database, payload bytes only.
  const cli = open();
  await fetchOver();
  app.observePaths([await wwan0()]);
  cli.recordPathBytes({ transferId: 'g', path: 'wwan0', direction: 'down', bytes: SIZE, at: Date.now() });
  cli.flush();
  app.flush();
  // The app quits while the other process goes on (and fetches again), then starts again.
  app.close();
  await fetchOver();
  cli.recordPathBytes({ transferId: 'g2', path: 'wwan0', direction: 'down', bytes: SIZE, at: Date.now() });
  cli.flush();
  cli.close();
  app = open();
  const end = await lab.settledCounters('wwan0');
  app.observePaths([await wwan0()]);
  const recorded = app.summary().paths.find((p) => p.name === 'wwan0');
  app.close();
  const link = end.rx - start.rx + (end.tx - start.tx);
  console.log(
    `owner: ledger all ${recorded?.allBytes} / link ${link} = ${((recorded?.allBytes ?? 0) / link).toFixed(4)}; ` +
      `app ${recorded?.appBytes} (2 × ${SIZE}) / link = ${((recorded?.appBytes ?? 0) / link).toFixed(4)}`,
  );
  expect(recorded?.appBytes).toBe(2 * SIZE);
  expect(recorded?.allBytes).toBeGreaterThan(link * 0.98);
  expect(recorded?.allBytes).toBeLessThan(link * 1.02);
}
