/**
 * Two paths × two mirrors in the namespace lab (issue 25): `pathwise get URL1 URL2` in the client
 * namespace over wlan0 and wwan0, from two range servers of the same file in the server namespace.
 * Both mirrors send bytes and both paths carry them; a mirror killed mid-way leaves the rest to
 * the other, and the file comes out whole.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PATHWISE_BIN, testEnv } from '../support/cli.ts';
import { tempDir, until } from '../support/engineLab.ts';
import { startLabRangeServer } from '../support/labServer.ts';
import { NetLab, SERVER_ADDRESS } from '../support/netns.ts';
import { deterministicContent, sha256 } from '../support/rangeServer.ts';
import { describeNeeding, netnsNeeds } from '../support/rootOnly.ts';

const SIZE = 8_000_000;
const SEED = 9;
const expected = sha256(deterministicContent(SIZE, SEED));
const FIRST = `http://${SERVER_ADDRESS}:8080/file.bin`;
const SECOND = `http://${SERVER_ADDRESS}:8081/file.bin`;

interface Line {
  type?: string;
  status?: string;
  received?: number;
  sha256?: string;
  paths?: Record<string, { bytes: number }>;
  sources?: Array<{ url: string; bytes: number; state: string; why: string | null }>;
}

let lab: NetLab;
beforeAll(async () => {
  lab = await NetLab.create([
    { name: 'wlan0', downMbit: 16 },
    { name: 'wwan0', downMbit: 8 },
  ]);
});
afterAll(async () => {
  await lab?.destroy();
});

/** `pathwise get` of both mirrors in the client namespace, its JSON lines collected as they come. */
function getBoth(): { lines: Line[]; done: Promise<number> } {
  const lines: Line[] = [];
  // The servers started apart, so their Last-Modified differ: the SHA-256 decides (MirrorSource).
  const args = ['get', FIRST, SECOND, '-o', join(tempDir(), 'both.bin'), '--json', '--sha256', expected];
  const child = spawn('ip', ['netns', 'exec', lab.client, PATHWISE_BIN, ...args, '--paths', 'wlan0,wwan0'], {
    env: testEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  child.stdout.on('data', (data: Buffer) => {
    buffered += data.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) lines.push(JSON.parse(part) as Line);
  });
  return { lines, done: new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1))) };
}

describeNeeding(netnsNeeds())('pathwise get from two mirrors across network namespaces', () => {
  let second: ChildProcess;

  it('takes bytes from both mirrors over both paths', async () => {
    await startLabRangeServer(lab, SIZE, SEED, 8080);
    second = await startLabRangeServer(lab, SIZE, SEED, 8081);
    const run = getBoth();
    expect(await run.done).toBe(0);
    const final = run.lines.at(-1) as Line;
    expect(final).toMatchObject({ status: 'done', sha256: expected });
    expect(final.sources?.map((s) => s.url)).toEqual([FIRST, SECOND]);
    for (const source of final.sources ?? []) expect(source.bytes, source.url).toBeGreaterThan(0);
    expect(final.paths?.['wlan0']?.bytes).toBeGreaterThan(0);
    expect(final.paths?.['wwan0']?.bytes).toBeGreaterThan(0);
  });

  it('finishes from the other mirror when one dies mid-way', async () => {
    const run = getBoth();
    await until(
      () => run.lines.some((l) => l.type === 'progress' && (l.received ?? 0) > SIZE / 4),
      30_000,
      'a quarter of the file',
    );
    second.kill('SIGKILL');
    expect(await run.done).toBe(0);
    const final = run.lines.at(-1) as Line;
    expect(final).toMatchObject({ status: 'done', sha256: expected });
    expect(final.sources?.[1]?.state).not.toBe('ready');
  });
});
