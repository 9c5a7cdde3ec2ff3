import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, TransferInfo, UsageSummary } from '../../common/contract.ts';
import { testEnv } from '../support/cli.ts';
import { startLabRangeServer } from '../support/labServer.ts';
import { canUseNetns, NetLab, SERVER_ADDRESS } from '../support/netns.ts';

const APP = fileURLToPath(new URL('../support/appInLab.ts', import.meta.url));
const SIZE = 12_000_000;
const URL_ = `http://${SERVER_ADDRESS}:8080/file.bin`;

describe.skipIf(!canUseNetns())('the ledger on real transfers in namespaces', () => {
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
  });
});
