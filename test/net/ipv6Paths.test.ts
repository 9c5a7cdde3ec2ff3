/**
 * IPv6 and dual-stack servers (issue 25): each path uses the address families it has. wlan0 has
 * IPv4 and IPv6, wwan0 IPv6 only (fd00:198:18::/48, the lab's own ULA); the server answers on
 * 198.19.0.1 and fd00:198:18:ff::1 alike, under the name dual.lab (both) and v6.lab (IPv6 only).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT, runPathwise } from '../support/cli.ts';
import { tempDir } from '../support/engineLab.ts';
import { NetLab, SERVER_ADDRESS, SERVER_ADDRESS6 } from '../support/netns.ts';
import { deterministicContent, sha256 } from '../support/rangeServer.ts';
import { describeNeeding, netnsNeeds } from '../support/rootOnly.ts';

const SIZE = 6_000_000;
const SEED = 6;
const expected = sha256(deterministicContent(SIZE, SEED));

interface Final {
  status: string;
  sha256: string;
  paths: Record<string, { bytes: number; mode?: string; verified?: boolean | null }>;
}

let lab: NetLab;
beforeAll(async () => {
  lab = await NetLab.create(
    [
      { name: 'wlan0', ipv6: true, downMbit: 40 },
      { name: 'wwan0', ipv6: true, ipv4: false, downMbit: 40 },
    ],
    { hosts: { 'dual.lab': [SERVER_ADDRESS, SERVER_ADDRESS6], 'v6.lab': [SERVER_ADDRESS6] } },
  );
  // One server on every address of the server namespace, both families.
  const server = lab.spawnIn(
    'server',
    process.execPath,
    [
      'test/support/rangeServer.ts',
      '--host',
      '::',
      '--port',
      '8080',
      '--size',
      String(SIZE),
      '--seed',
      String(SEED),
    ],
    { cwd: REPO_ROOT },
  );
  await new Promise((resolve, reject) => {
    server.stdout?.once('data', resolve);
    server.once('exit', (code) => reject(new Error(`range server exited ${code}`)));
  });
});
afterAll(async () => {
  await lab?.destroy();
});

async function get(url: string, paths: string, env: NodeJS.ProcessEnv = {}) {
  const before = { wlan0: await lab.settledCounters('wlan0'), wwan0: await lab.settledCounters('wwan0') };
  const result = await runPathwise(
    ['get', url, '-o', join(tempDir(), 'v6.bin'), '--json', '--paths', paths],
    {
      netns: lab.client,
      env,
    },
  );
  const after = { wlan0: await lab.counters('wlan0'), wwan0: await lab.counters('wwan0') };
  const final = JSON.parse(result.stdout.trim().split('\n').pop() || '{}') as Final;
  return {
    result,
    final,
    rx: { wlan0: after.wlan0.rx - before.wlan0.rx, wwan0: after.wwan0.rx - before.wwan0.rx },
  };
}

describeNeeding(netnsNeeds())('paths with IPv6', () => {
  it.each([
    ['pinned to its device', 'device', {}],
    ['bound by address', 'address', { PATHWISE_NO_BINDTODEVICE: '1' }],
  ])(
    'an IPv6-only path %s downloads from a dual-stack name, over its own interface',
    async (_, mode, env) => {
      const { result, final, rx } = await get('http://dual.lab:8080/file.bin', 'wwan0', env);
      expect(result.code, result.stderr).toBe(0);
      expect(final).toMatchObject({ status: 'done', sha256: expected });
      expect(final.paths['wwan0']).toMatchObject({ bytes: SIZE, mode });
      expect(rx.wwan0).toBeGreaterThanOrEqual(SIZE);
      expect(rx.wlan0).toBeLessThan(SIZE / 20);
    },
  );

  it('both paths share a server that has IPv6 only, wlan0 from its IPv6 address', async () => {
    // Bound by address: wlan0's IPv4 address can't source a connection to an IPv6 server.
    const { result, final, rx } = await get('http://v6.lab:8080/file.bin', 'wlan0,wwan0', {
      PATHWISE_NO_BINDTODEVICE: '1',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(final).toMatchObject({ status: 'done', sha256: expected });
    const wlan = final.paths['wlan0']?.bytes ?? 0;
    const wwan = final.paths['wwan0']?.bytes ?? 0;
    expect(wlan).toBeGreaterThan(0);
    expect(wwan).toBeGreaterThan(0);
    expect(rx.wlan0).toBeGreaterThanOrEqual(wlan);
    expect(rx.wwan0).toBeGreaterThanOrEqual(wwan);
  });

  it('Happy Eyeballs: a dual-stack path whose IPv4 goes nowhere downloads over its IPv6', async () => {
    // Connections to the server's IPv4 address over wlan0 vanish (no refusal, no answer): tried
    // one after the other, the IPv4 attempt would use up the whole connect timeout.
    const drop = [
      'INPUT',
      '-i',
      's-wlan0',
      '-d',
      SERVER_ADDRESS,
      '-p',
      'tcp',
      '--dport',
      '8080',
      '-j',
      'DROP',
    ];
    await lab.inServer(['iptables', '-I', ...drop]);
    try {
      const { result, final, rx } = await get('http://dual.lab:8080/file.bin', 'wlan0');
      expect(result.code, result.stderr).toBe(0);
      expect(final).toMatchObject({ status: 'done', sha256: expected });
      expect(rx.wlan0).toBeGreaterThanOrEqual(SIZE);
    } finally {
      await lab.inServer(['iptables', '-D', ...drop]);
    }
  });

  it('a dual-stack path and an IPv6-only one aggregate on a dual-stack name', async () => {
    const { result, final } = await get(`http://dual.lab:8080/file.bin`, 'wlan0,wwan0');
    expect(result.stderr).toBe('');
    expect(final).toMatchObject({ status: 'done', sha256: expected });
    expect(final.paths['wlan0']?.bytes).toBeGreaterThan(0);
    expect(final.paths['wwan0']?.bytes).toBeGreaterThan(0);
  });
});
