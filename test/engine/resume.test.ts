import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  A,
  B,
  fileEquals,
  makeTransfer,
  tempDir,
  twoPaths,
  until,
  startEmulatedServer,
  stopEmulatedServer,
} from '../support/engineLab.ts';
import { PATHWISE_BIN, runPathwise, testEnv } from '../support/cli.ts';
import type { LinkEmulator } from '../support/linkEmulator.ts';
import { deterministicContent, isProbe, sha256, type RangeServer } from '../support/rangeServer.ts';

const SIZE = 6_000_000;
const content = deterministicContent(SIZE, 31);
let server: RangeServer;
let link: LinkEmulator;
let url: string;

beforeEach(async () => {
  ({ server, link, url } = await startEmulatedServer(content, { [A]: 800_000, [B]: 500_000 }));
});

afterEach(() => stopEmulatedServer({ server, link }));

interface JsonLine {
  type?: string;
  status?: string;
  received?: number;
  [key: string]: unknown;
}

describe('crash safety', () => {
  it('resumes after kill -9, re-fetching little, and names the file only when it is complete', async () => {
    const dir = tempDir();
    const file = join(dir, 'big.bin');
    const args = ['get', url, '-o', file, '--json', '--paths', `a=${A},b=${B}`];
    const child = spawn(PATHWISE_BIN, args, { env: testEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let lastReceived = 0;
    let buffered = '';
    child.stdout.on('data', (data: Buffer) => {
      buffered += data.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const parsed = JSON.parse(line) as JsonLine;
        if (parsed.type === 'progress') lastReceived = parsed.received ?? 0;
      }
    });
    await until(() => lastReceived >= 3_000_000, 60_000, 'half the file');
    expect(existsSync(file)).toBe(false);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    expect(existsSync(`${file}.part`)).toBe(true);
    const journal = JSON.parse(readFileSync(`${file}.part.json`, 'utf8')) as {
      done: Array<[number, number]>;
    };
    const onDisk = journal.done.reduce((n, [s, e]) => n + (e - s), 0);
    expect(onDisk).toBeGreaterThan(0);

    const again = await runPathwise(args, { timeoutMs: 90_000 });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const final = JSON.parse(again.stdout.trim().split('\n').pop() as string) as {
      status: string;
      bytes: number;
      sha256: string;
      resumedBytes: number;
      fetchedBytes: number;
    };
    expect(final).toMatchObject({ status: 'done', bytes: SIZE, sha256: sha256(content) });
    expect(final.resumedBytes).toBe(onDisk);
    // Nothing on disk is fetched again; the resumed run may still fetch a little twice itself (the
    // endgame duplicates a slow tail, a stalled range moves), far less than a restart would.
    expect(final.fetchedBytes + final.resumedBytes).toBeGreaterThanOrEqual(SIZE);
    expect(final.fetchedBytes + final.resumedBytes).toBeLessThanOrEqual(SIZE + 1_000_000);
    // At most about a second of bytes (the journal's interval) is fetched again.
    expect(final.resumedBytes).toBeGreaterThanOrEqual(lastReceived - 2_000_000);
    expect(await fileEquals(file, content)).toBe(true);
    expect(existsSync(`${file}.part`)).toBe(false);
    expect(existsSync(`${file}.part.json`)).toBe(false);
    expect(existsSync(`${file}.part.lock`)).toBe(false);
  });
});

/** A transfer stopped on purpose: what it keeps, what it fetches again, and what it throws away. */
describe('crash safety: pause, resume and cancel', () => {
  it('pauses and resumes without fetching again what it has', async () => {
    const { transfer, file } = makeTransfer({ url, paths: twoPaths() });
    const run = transfer.run();
    await until(() => transfer.info().received >= 1_500_000, 30_000, 'some bytes');
    await transfer.pause();
    expect(await run).toEqual({ status: 'paused' });
    expect(transfer.info().state).toBe('paused');
    const kept = transfer.info().received;
    const journal = JSON.parse(readFileSync(`${file}.part.json`, 'utf8')) as {
      done: Array<[number, number]>;
    };
    expect(journal.done.reduce((n, [s, e]) => n + (e - s), 0)).toBe(kept);
    const seen = server.requests.length;
    const outcome = await transfer.run();
    expect(outcome).toMatchObject({ status: 'done', resumedBytes: kept });
    expect(await fileEquals(file, content)).toBe(true);
    // The second run's probe asks for the first byte only (the first chunk may be on disk), and
    // no range asked for after the pause overlaps what was already on disk.
    const probes = server.requests.slice(seen).filter((r) => isProbe(r));
    expect(probes.map((r) => r.headers.range)).toEqual(['bytes=0-0']);
    for (const request of server.rangeRequests().filter((r) => server.requests.indexOf(r) >= seen)) {
      const [start, end] = (/bytes=(\d+)-(\d+)/.exec(request.headers.range ?? '') ?? []).slice(1).map(Number);
      for (const [s, e] of journal.done) expect(end! < s || start! >= e).toBe(true);
    }
  });

  it('starts over when the file changed on the server between two runs', async () => {
    const { transfer, file, events } = makeTransfer({ url, paths: twoPaths() });
    const run = transfer.run();
    await until(() => transfer.info().received >= 1_000_000, 30_000, 'some bytes');
    await transfer.pause();
    await run;
    const updated = deterministicContent(SIZE - 5000, 32);
    server.setContent(updated);
    const outcome = await transfer.run();
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(updated), resumedBytes: 0 });
    expect(await fileEquals(file, updated)).toBe(true);
    const restart = events.find((e) => e.kind === 'restart');
    expect(restart?.detail).toMatch(/changed on the server/);
    expect(restart?.bytesLost).toBeGreaterThanOrEqual(1_000_000);
  });

  it('cancelling deletes the partial download', async () => {
    const { transfer, file } = makeTransfer({ url, paths: twoPaths() });
    const run = transfer.run();
    await until(() => transfer.info().received >= 500_000, 30_000, 'some bytes');
    await transfer.cancel();
    expect(await run).toEqual({ status: 'cancelled' });
    expect(existsSync(`${file}.part`)).toBe(false);
    expect(existsSync(`${file}.part.json`)).toBe(false);
    expect(existsSync(file)).toBe(false);
  });
});
