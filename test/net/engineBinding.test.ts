import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../support/engineLab.ts';
import { runPathwise } from '../support/cli.ts';
import { startLabRangeServer } from '../support/labServer.ts';
import { NetLab, SERVER_ADDRESS } from '../support/netns.ts';
import { describeNeeding, netnsNeeds } from '../support/rootOnly.ts';
import { deterministicContent, sha256 } from '../support/rangeServer.ts';

const SIZE = 8_000_000;
const SEED = 11;
const expected = sha256(deterministicContent(SIZE, SEED));
const URL_ = `http://${SERVER_ADDRESS}:8080/file.bin`;

interface PathResult {
  bytes: number;
  mode?: 'device' | 'address';
  verified?: boolean | null;
}
interface Final {
  status: string;
  sha256: string;
  paths: Record<string, PathResult>;
}

/**
 * `pathwise get` on a laptop as most Linux laptops are: per-device default routes (wlan0 metric
 * 600, wwan0 700) and no source-based policy rules, so an address-bound socket on wwan0 leaves
 * through wlan0. Device binding must hold; address binding must be caught as unverified.
 */
describeNeeding(netnsNeeds())('pathwise get without policy routing', () => {
  let lab: NetLab;
  beforeAll(async () => {
    lab = await NetLab.create(
      [
        { name: 'wlan0', policyRouting: false, metric: 600, downMbit: 24 },
        { name: 'wwan0', policyRouting: false, metric: 700, downMbit: 24 },
      ],
      { replyViaIngress: true },
    );
    await startLabRangeServer(lab, SIZE, SEED);
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  async function get(file: string, env: NodeJS.ProcessEnv = {}) {
    const before = { wlan0: await lab.counters('wlan0'), wwan0: await lab.counters('wwan0') };
    const result = await runPathwise(
      ['get', URL_, '-o', join(tempDir(), file), '--json', '--paths', 'wlan0,wwan0'],
      { netns: lab.client, env },
    );
    const after = { wlan0: await lab.counters('wlan0'), wwan0: await lab.counters('wwan0') };
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return {
      result,
      lines,
      final: lines.at(-1) as unknown as Final,
      rx: { wlan0: after.wlan0.rx - before.wlan0.rx, wwan0: after.wwan0.rx - before.wwan0.rx },
    };
  }

  it('binds each path to its device: wwan0’s bytes arrive on wwan0 and are verified', async () => {
    const { result, final, rx } = await get('device.bin');
    expect(result.code, result.stderr).toBe(0);
    expect(final).toMatchObject({ status: 'done', sha256: expected });
    const wwan = final.paths['wwan0'] as PathResult;
    expect(wwan.bytes).toBeGreaterThan(1 << 20);
    expect(rx.wwan0).toBeGreaterThanOrEqual(wwan.bytes);
    expect(wwan).toMatchObject({ mode: 'device', verified: true });
    expect(final.paths['wlan0']).toMatchObject({ mode: 'device' });
  });

  it('without the addon binds by address, says so once, and marks wwan0 unverified', async () => {
    const { result, lines, final, rx } = await get('address.bin', { PATHWISE_NO_BINDTODEVICE: '1' });
    expect(result.code, result.stderr).toBe(0);
    expect(final).toMatchObject({ status: 'done', sha256: expected });
    expect(result.stderr.match(/binds each path by its address only/g)).toHaveLength(1);
    // Its bytes really went out through wlan0, so the wwan0 counters saw (almost) none of them.
    expect(rx.wwan0).toBeLessThan(SIZE / 10);
    expect(final.paths['wwan0']).toMatchObject({ mode: 'address', verified: false });
    expect(lines).toContainEqual(
      expect.objectContaining({ type: 'binding', path: 'wwan0', verified: false }),
    );
  });
});
