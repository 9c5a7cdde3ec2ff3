/**
 * Links that expire (issue 25): the URL the user gave redirects to a signed link that stops working
 * (403, 410…) long before a large file is done. The engine goes back to the user's URL for a fresh
 * link, checks that it names the same file, and carries on with the ranges it has, on every path,
 * as often as needed; a fresh link to another version is the "changed on the server" restart; only
 * renewals that never bring a byte are bounded. Resuming after kill -9 starts from the user's URL,
 * never from the dead signed link the journal saw last.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransferOutcome } from '../../main/engine/Transfer.ts';
import { PATHWISE_BIN, runPathwise, testEnv } from '../support/cli.ts';
import { A, B, fileEquals, makeTransfer, tempDir, twoPaths, until } from '../support/engineLab.ts';
import { LinkEmulator } from '../support/linkEmulator.ts';
import {
  deterministicContent,
  lieTo,
  sha256,
  startRangeServer,
  type RangeServer,
  type RangeServerBehaviour,
  type RequestLog,
} from '../support/rangeServer.ts';

const SIZE = 3_000_000;
const content = deterministicContent(SIZE, 253);
const other = deterministicContent(SIZE, 254);
/** 256 KiB chunks: a dozen ranges, so links expire part-way through. */
const chunked = { planner: { initialChunk: 256 << 10, maxChunk: 256 << 10 } };
const servers: RangeServer[] = [];
let link: LinkEmulator | undefined;

afterEach(async () => {
  await link?.close();
  link = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(
  behaviour: Partial<RangeServerBehaviour>,
): Promise<{ server: RangeServer; url: string }> {
  const server = await startRangeServer(content, { behaviour });
  servers.push(server);
  return { server, url: server.url.replace('/file.bin', '/latest') };
}

/** The signed link a request asked with (its `sig`), 0 for none. */
const sig = (r: RequestLog): number => Number(new URL(r.target, 'http://x').searchParams.get('sig') ?? 0);
const renewals = (s: RangeServer): number => s.requests.filter((r) => r.path === '/latest').length;

function done(outcome: TransferOutcome, expected: Buffer): void {
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'done', sha256: sha256(expected) });
}

describe('a signed link that expires mid-download', () => {
  it('renews it from the user’s URL and carries on with the ranges it has, on every path', async () => {
    const { server, url } = await serve({ signedLinks: { from: '/latest', uses: 4 } });
    const made = makeTransfer({ url, paths: twoPaths(), tuning: chunked });
    done(await made.transfer.run(), content);
    expect(await fileEquals(made.file, content)).toBe(true);
    // Links did expire, and were renewed more than once.
    expect(server.requests.some((r) => r.status === 403)).toBe(true);
    expect(renewals(server)).toBeGreaterThanOrEqual(3);
    // Nothing was fetched twice: what a dead link refused it never sent.
    const info = made.transfer.info();
    expect((info.paths['a']?.bytes ?? 0) + (info.paths['b']?.bytes ?? 0)).toBe(SIZE);
    // Both paths went on over renewed links; neither was taken for a dead path, nothing started over.
    for (const address of [A, B]) {
      const renewed = server.requests.filter(
        (r) => r.remoteAddress === address && sig(r) > 1 && r.status === 206,
      );
      expect(renewed.length, `ranges over ${address} on a renewed link`).toBeGreaterThan(0);
    }
    expect(made.events.filter((e) => e.kind === 'path-lost' || e.kind === 'restart')).toEqual([]);
  });

  it('renews links that all expire at once (410 Gone), as often as they do', async () => {
    let ranges = 0;
    const { server, url } = await serve({
      signedLinks: { from: '/latest', status: 410 },
      // Every fourth range kills every link issued so far.
      onRequest: (log, s) => {
        if (log.headers['if-match'] && ++ranges % 4 === 0) s.expireLinks();
      },
    });
    const made = makeTransfer({ url, paths: twoPaths(), tuning: chunked });
    done(await made.transfer.run(), content);
    expect(await fileEquals(made.file, content)).toBe(true);
    expect(server.requests.filter((r) => r.status === 410).length).toBeGreaterThan(1);
    expect(renewals(server)).toBeGreaterThanOrEqual(3);
  });
});

describe('a signed link that expires with a 200 “link expired” page', () => {
  it('is renewed like a 403, not taken for a new version of the file', async () => {
    const page = '<html><body>This download link has expired.</body></html>';
    const { server, url } = await serve({ signedLinks: { from: '/latest', uses: 4, page } });
    const made = makeTransfer({ url, paths: twoPaths(), tuning: chunked });
    done(await made.transfer.run(), content);
    expect(await fileEquals(made.file, content)).toBe(true);
    // Links did expire with the page, and were renewed; nothing started over, nothing twice.
    expect(server.requests.some((r) => r.status === 200 && sig(r) > 0)).toBe(true);
    expect(renewals(server)).toBeGreaterThanOrEqual(3);
    expect(made.events.filter((e) => e.kind === 'restart')).toEqual([]);
    const info = made.transfer.info();
    expect((info.paths['a']?.bytes ?? 0) + (info.paths['b']?.bytes ?? 0)).toBe(SIZE);
  });
});

describe('a signed link that expires mid-download: when a renewal can’t simply go on', () => {
  it('starts over when the renewed link names another version of the file', async () => {
    const { server, url } = await serve({
      signedLinks: { from: '/latest', uses: 4 },
      // The file is replaced just as the first renewal asks for a fresh link, and the old links
      // die with it: only the renewed link can tell that the file changed.
      onRequest: (log, s) => {
        if (log.path !== '/latest' || renewals(s) !== 2) return;
        s.setContent(other);
        s.expireLinks();
      },
    });
    const made = makeTransfer({ url, paths: twoPaths(), tuning: chunked });
    done(await made.transfer.run(), other);
    expect(await fileEquals(made.file, other)).toBe(true);
    const restarts = made.events.filter((e) => e.kind === 'restart');
    expect(restarts.map((e) => e.detail)).toEqual([
      expect.stringMatching(/^The file changed on the server \(ETag "\w+" → ETag "\w+"\)\. Started over/),
    ]);
    expect(server.requests.some((r) => r.status === 403)).toBe(true);
  });

  it('fails, naming it, when every renewed link stops working before a byte arrives over it', async () => {
    // Each link serves one request: the probe of it, and then nothing.
    const { server, url } = await serve({ signedLinks: { from: '/latest', uses: 1 } });
    const made = makeTransfer({
      url,
      paths: twoPaths(),
      tuning: { ...chunked, backoffBaseMs: 20, maxLinkRefreshes: 3 },
    });
    const outcome = await made.transfer.run();
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error).toMatchObject({
      code: 'E_HTTP_STATUS',
      message: expect.stringMatching(
        /^The link http:\/\/127\.0\.0\.1:\d+\/latest leads to stopped working each time it was renewed \(403 Forbidden, 3 times in a row, no byte arriving in between\); Pathwise stopped\./,
      ) as unknown,
    });
    // The first link and three renewals, no more.
    expect(new Set(server.requests.filter((r) => r.status === 403).map(sig)).size).toBe(4);
    // What the first link brought is kept for a resume.
    expect(existsSync(`${made.file}.part.json`)).toBe(true);
  });

  it('still fails at once on a 403 from a link the user gave directly (nothing to renew)', async () => {
    const { server } = await serve({ lie: lieTo({ nthRange: 2 }, { kind: 'status', status: 403 }) });
    const made = makeTransfer({ url: server.url, paths: twoPaths(), tuning: chunked });
    const outcome = await made.transfer.run();
    expect(outcome.status === 'failed' && outcome.error.message).toMatch(
      /^The server answered 403 Forbidden/,
    );
    expect(server.requests.filter((r) => r.headers.range === 'bytes=0-0')).toEqual([]);
  });
});

interface JsonLine {
  type?: string;
  received?: number;
}

describe('kill -9 and resume across a link renewal', () => {
  it('resumes from the user’s URL, not from the dead signed link, keeping every byte on disk', async () => {
    const big = deterministicContent(6_000_000, 255);
    const server = await startRangeServer(big, { behaviour: { signedLinks: { from: '/latest', uses: 3 } } });
    servers.push(server);
    link = await LinkEmulator.start({ host: '127.0.0.1', port: server.port });
    link.set(A, { rateBps: 800_000 });
    link.set(B, { rateBps: 500_000 });
    const file = join(tempDir(), 'big.bin');
    const args = ['get', link.url('/latest'), '-o', file, '--json', '--paths', `a=${A},b=${B}`];
    const child = spawn(PATHWISE_BIN, args, { env: testEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let received = 0;
    let buffered = '';
    child.stdout.on('data', (data: Buffer) => {
      const lines = (buffered + data.toString()).split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const parsed = JSON.parse(line) as JsonLine;
        if (parsed.type === 'progress') received = parsed.received ?? 0;
      }
    });
    // Killed once a link was renewed and half the file is in.
    await until(() => renewals(server) >= 2 && received >= 3_000_000, 60_000, 'a renewal and half the file');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const journal = JSON.parse(readFileSync(`${file}.part.json`, 'utf8')) as {
      finalUrl: string;
      done: Array<[number, number]>;
    };
    const onDisk = journal.done.reduce((n, [s, e]) => n + (e - s), 0);
    expect(onDisk).toBeGreaterThan(0);
    expect(journal.finalUrl).toMatch(/\/file\.bin\?sig=\d+$/);

    // Every link issued so far dies; the resumed run must start from the user's URL.
    server.expireLinks();
    const before = server.requests.length;
    const issued = renewals(server);
    const again = await runPathwise(args, { timeoutMs: 90_000 });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const final = JSON.parse(again.stdout.trim().split('\n').pop() as string) as {
      status: string;
      sha256: string;
      resumedBytes: number;
    };
    expect(final).toMatchObject({ status: 'done', sha256: sha256(big) });
    expect(final.resumedBytes).toBe(onDisk);
    expect(server.requests[before]?.path).toBe('/latest');
    // No link from before the kill was asked again (those the resumed run got may expire in turn).
    expect(server.requests.slice(before).filter((r) => sig(r) > 0 && sig(r) <= issued)).toEqual([]);
    expect(await fileEquals(file, big)).toBe(true);
  }, 120_000);
});
