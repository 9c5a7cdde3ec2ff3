// Issue 20 case 15 on real links: the app's bytes are what its sockets moved on each path, big
// response headers and requests included, checked against the server's sockets and the links'
// own counters.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TransferInfo, UsageSummary } from '../../common/contract.ts';
import { testEnv } from '../support/cli.ts';
import { NetLab, SERVER_ADDRESS } from '../support/netns.ts';
import { describeNeeding, netnsNeeds } from '../support/rootOnly.ts';

const APP = fileURLToPath(new URL('../support/appInLab.ts', import.meta.url));
const SIZE = 12_000_000;
const PADDING = 12_000;
const ORIGIN = `http://${SERVER_ADDRESS}:8081`;

/**
 * A file server whose every answer carries 12 kB of headers, counting what its sockets read and
 * wrote per client address; GET /stats (not counted) tells it as JSON.
 */
const SERVER = `
const http = require('node:http');
const size = ${SIZE};
const body = Buffer.alloc(size, 7);
const pad = 'x'.repeat(${PADDING});
const sockets = [];
const answers = {};
const server = http.createServer((req, res) => {
  const from = req.socket.remoteAddress;
  if (req.url === '/stats') {
    req.socket.uncounted = true;
    const stats = {};
    for (const { socket, from } of sockets) {
      if (socket.uncounted) continue;
      const s = (stats[from] ??= { read: 0, written: 0, answers: answers[from] ?? 0 });
      s.read += socket.bytesRead;
      s.written += socket.bytesWritten;
    }
    res.end(JSON.stringify(stats));
    return;
  }
  answers[from] = (answers[from] ?? 0) + 1;
  res.setHeader('x-padding', pad);
  if (req.url === '/generate_204') {
    res.writeHead(204);
    res.end();
    return;
  }
  const range = /^bytes=(\\d+)-(\\d*)$/.exec(req.headers.range ?? '');
  const start = range ? Number(range[1]) : 0;
  const end = range && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
  res.setHeader('etag', '"v1"');
  res.setHeader('accept-ranges', 'bytes');
  res.setHeader('content-length', end - start + 1);
  if (range) res.setHeader('content-range', 'bytes ' + start + '-' + end + '/' + size);
  res.writeHead(range ? 206 : 200);
  res.end(body.subarray(start, end + 1));
});
server.on('connection', (socket) => sockets.push({ socket, from: socket.remoteAddress }));
server.listen(8081, '${SERVER_ADDRESS}', () => console.log('listening'));
`;

interface ServerStats {
  read: number;
  written: number;
  answers: number;
}

describeNeeding(netnsNeeds())('the app’s bytes on real links (issue 20 case 15)', () => {
  let lab: NetLab;
  beforeAll(async () => {
    lab = await NetLab.create([
      { name: 'wlan0', downMbit: 24 },
      { name: 'wwan0', downMbit: 16 },
    ]);
    const server = lab.spawnIn('server', process.execPath, ['-e', SERVER]);
    await new Promise((resolve, reject) => {
      server.stdout?.once('data', resolve);
      server.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('books requests and every answer’s headers with the payload, as the server’s sockets count them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pw-app-bytes-'));
    const before = { wlan0: await lab.counters('wlan0'), wwan0: await lab.counters('wwan0') };
    const child = lab.spawnIn(
      'client',
      process.execPath,
      ['--disable-warning=ExperimentalWarning', APP, dataDir, `${ORIGIN}/file.bin`, 'wwan0=secondary'],
      { env: testEnv({ PATHWISE_PROBE_URL: `${ORIGIN}/generate_204` }) },
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const after = { wlan0: await lab.settledCounters('wlan0'), wwan0: await lab.settledCounters('wwan0') };
    expect(code, stderr).toBe(0);
    const stats = JSON.parse(await lab.inClient(['curl', '-s', `${ORIGIN}/stats`])) as Record<
      string,
      ServerStats
    >;
    const { transfer, usage } = JSON.parse(stdout.trim().split('\n').pop() as string) as {
      transfer: TransferInfo;
      usage: UsageSummary;
    };
    expect(transfer.state).toBe('done');
    for (const [name, address] of [
      ['wlan0', '198.18.1.2'],
      ['wwan0', '198.18.2.2'],
    ] as const) {
      const app = usage.paths.find((p) => p.name === name)?.appBytes ?? 0;
      const payload = transfer.paths[name]?.bytes ?? 0;
      const link = after[name].rx - before[name].rx + (after[name].tx - before[name].tx);
      const server = stats[address] as ServerStats;
      console.log(
        `${name}: app ${app} / link ${link} = ${(app / link).toFixed(4)} (payload alone ${(payload / link).toFixed(4)}); ` +
          `server sockets ${server.read + server.written}, ${server.answers} answers`,
      );
      expect(payload, name).toBeGreaterThan(1_000_000);
      // Every answer's 12 kB of headers and every request are booked with the payload, and never
      // more than the server's sockets moved (they also count what was in flight when a raced
      // connection was closed, which the link carried and no socket of the app read).
      expect(app, name).toBeGreaterThanOrEqual(payload + server.answers * PADDING + server.read);
      expect(app, name).toBeLessThanOrEqual(server.read + server.written);
      // What the link carried more is TCP/IP: a socket never sees headers of its segments and ACKs.
      expect(app, name).toBeLessThanOrEqual(link);
      expect(app / link, name).toBeGreaterThan(0.9);
    }
  });
});
