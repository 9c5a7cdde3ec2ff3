/**
 * A proxy that one path reaches and the other doesn't (issue 25): as on a laptop whose office
 * Wi-Fi has the company proxy and whose modem can't reach it. The download goes through the proxy
 * over wlan0; wwan0 leaves the download saying why, and sends nothing around the proxy.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT, runPathwise } from '../support/cli.ts';
import { tempDir } from '../support/engineLab.ts';
import { startLabRangeServer } from '../support/labServer.ts';
import { NetLab, SERVER_ADDRESS } from '../support/netns.ts';
import type { ProxyVisit } from '../support/proxyServer.ts';
import { deterministicContent, sha256 } from '../support/rangeServer.ts';
import { describeNeeding, netnsNeeds } from '../support/rootOnly.ts';

const SIZE = 6_000_000;
const SEED = 25;
const expected = sha256(deterministicContent(SIZE, SEED));
const PROXY_ADDRESS = '198.19.0.2';
/** The file's name, which only the proxy resolves (to the range server). */
const URL_ = 'http://files.lab:8080/file.bin';

interface Line {
  type?: string;
  kind?: string;
  from?: string;
  code?: string;
  detail?: string;
  status?: string;
  sha256?: string;
  paths?: Record<string, { bytes: number }>;
}

let lab: NetLab;
const visits: ProxyVisit[] = [];

/** The test proxy in the server namespace, its visits collected as it prints them. */
async function startLabProxy(): Promise<ChildProcess> {
  await lab.inServer(['ip', 'addr', 'add', `${PROXY_ADDRESS}/32`, 'dev', 'lo']);
  const proxy = lab.spawnIn(
    'server',
    process.execPath,
    [
      'test/support/proxyServer.ts',
      '--host',
      PROXY_ADDRESS,
      '--port',
      '3128',
      '--map',
      `files.lab=${SERVER_ADDRESS}`,
    ],
    { cwd: REPO_ROOT },
  );
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    proxy.stdout?.on('data', (data: Buffer) => {
      buffered += data.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('ready')) resolve();
        else if (line.startsWith('{')) visits.push(JSON.parse(line) as ProxyVisit);
      }
    });
    proxy.once('exit', (code) => reject(new Error(`proxy exited ${code}`)));
  });
  return proxy;
}

beforeAll(async () => {
  lab = await NetLab.create([
    { name: 'wlan0', downMbit: 24 },
    { name: 'wwan0', downMbit: 24 },
  ]);
  await startLabRangeServer(lab, SIZE, SEED);
  await startLabProxy();
  // wwan0's network can't reach the proxy: its connections are refused there.
  await lab.inServer(
    ['iptables', '-I', 'INPUT', '-i', lab.path('wwan0').serverIf, '-d', PROXY_ADDRESS].concat([
      '-p',
      'tcp',
      '-j',
      'REJECT',
      '--reject-with',
      'tcp-reset',
    ]),
  );
});
afterAll(async () => {
  await lab?.destroy();
});

describeNeeding(netnsNeeds())('a proxy reachable over one path only', () => {
  it('downloads through it over wlan0, and wwan0 leaves the download saying why', async () => {
    const before = await lab.settledCounters('wwan0');
    const result = await runPathwise(
      ['get', URL_, '-o', join(tempDir(), 'proxied.bin'), '--json', '--paths', 'wlan0,wwan0'],
      {
        netns: lab.client,
        env: { HTTP_PROXY: `http://${PROXY_ADDRESS}:3128`, NO_PROXY: 'localhost' },
      },
    );
    const after = await lab.counters('wwan0');
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    const final = lines.at(-1) as Line;
    expect(final).toMatchObject({ status: 'done', sha256: expected });
    expect(final.paths?.['wlan0']?.bytes).toBe(SIZE);
    expect(final.paths?.['wwan0']?.bytes).toBe(0);
    // Every request went through the proxy, from wlan0's address.
    expect(visits.length).toBeGreaterThan(0);
    expect(new Set(visits.map((v) => `${v.kind} ${v.from} ${v.target}`))).toEqual(
      new Set([`forward ${lab.path('wlan0').clientAddress} ${URL_}`]),
    );
    const lost = lines.find((l) => l.type === 'continuity' && l.kind === 'path-lost' && l.from === 'wwan0');
    expect(lost).toMatchObject({ code: 'E_PROXY' });
    expect(lost?.detail).toContain(
      `The proxy http://${PROXY_ADDRESS}:3128 (HTTP_PROXY) cannot be reached over wwan0 (ECONNREFUSED): wwan0 carries no download until it can`,
    );
    // Nothing went around the proxy over wwan0: no payload arrived there.
    expect(after.rx - before.rx).toBeLessThan(SIZE / 50);
  });
});
