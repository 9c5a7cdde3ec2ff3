/**
 * `pathwise get URL1 URL2 …` and `pathwise get FILE.meta4` (issue 25) as a user runs them: the
 * sources in --json with the bytes from each, a Metalink's name and hashes, its mistakes refused
 * before any request, and a resume after kill -9 that finds the primary gone and carries on from
 * the mirror with what is on disk.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PATHWISE_BIN, runPathwise, testEnv, type CliResult } from '../support/cli.ts';
import { A, B, tempDir, until } from '../support/engineLab.ts';
import { deterministicContent, sha256, startRangeServer, type RangeServer } from '../support/rangeServer.ts';

const SIZE = 2_000_000;
const content = deterministicContent(SIZE, 51);
const LAST_MODIFIED = 'Tue, 01 Dec 2026 10:00:00 GMT';
const PATHS = ['--paths', `a=${A},b=${B}`];
const servers: RangeServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close().catch(() => undefined)));
});

async function serve(body: Buffer = content): Promise<RangeServer> {
  const server = await startRangeServer(body, { behaviour: { lastModified: LAST_MODIFIED } });
  servers.push(server);
  return server;
}

interface Final {
  status: string;
  sha256?: string;
  file?: string;
  resumedBytes?: number;
  sources?: Array<{ url: string; bytes: number; state: string; why: string | null }>;
  error?: { code: string; message: string };
}

function final(result: CliResult): Final {
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Final;
}

/** The --json `source` lines saying a source went to `state`. */
function sourceLines(result: CliResult, state: string): Array<Record<string, unknown>> {
  return result.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l['type'] === 'source' && l['state'] === state);
}

function metalink(name: string, urls: string[], extra = ''): string {
  const listed = urls.map((u, i) => `<url priority="${i + 1}">${u}</url>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<metalink xmlns="urn:ietf:params:xml:ns:metalink"><file name="${name}"><size>${SIZE}</size>${extra}${listed}</file></metalink>`;
}

describe('pathwise get with mirrors', () => {
  it('lists every source with the bytes it sent in the --json status line', async () => {
    const [primary, mirror, shorter] = [await serve(), await serve(), await serve(content.subarray(1))];
    const file = join(tempDir(), 'out.bin');
    const result = await runPathwise([
      'get',
      primary.url,
      mirror.url,
      shorter.url,
      '-o',
      file,
      '--json',
      ...PATHS,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const done = final(result);
    expect(done).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(done.sources?.map((s) => s.url)).toEqual([primary.url, mirror.url, shorter.url]);
    expect(done.sources?.reduce((n, s) => n + s.bytes, 0)).toBe(SIZE);
    expect(done.sources?.[2]).toMatchObject({ state: 'dropped', bytes: 0 });
    expect(done.sources?.[2]?.why).toMatch(/serves 1999999 bytes, not 2000000/);
    expect(readFileSync(file).equals(content)).toBe(true);
    // Said as it happened, not only at the end: a `source` line when the mirror was dropped.
    expect(sourceLines(result, 'dropped')).toEqual([
      expect.objectContaining({ url: shorter.url, why: expect.stringMatching(/1999999/) }),
    ]);
  });

  it('reads a Metalink file: its URLs, its name for the file, its SHA-256 and pieces', async () => {
    const [first, second] = [await serve(), await serve()];
    const dir = tempDir();
    const pieces = [0, 1 << 20].map(
      (at) =>
        `<hash>${createHash('sha256')
          .update(content.subarray(at, at + (1 << 20)))
          .digest('hex')}</hash>`,
    );
    const extra = `<hash type="sha-256">${sha256(content)}</hash><pieces length="${1 << 20}" type="sha-256">${pieces.join('')}</pieces>`;
    writeFileSync(
      join(dir, 'file.meta4'),
      metalink('release.iso', [first.url, second.url, 'ftp://ftp.example/x'], extra),
    );
    const result = await runPathwise(['get', join(dir, 'file.meta4'), '-o', `${dir}/`, '--json', ...PATHS]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/also lists ftp ftp\.example; Pathwise fetches over http\(s\) only/);
    const done = final(result);
    expect(done).toMatchObject({ status: 'done', sha256: sha256(content), file: join(dir, 'release.iso') });
    expect(done.sources?.map((s) => s.url)).toEqual([first.url, second.url]);
  });

  it('refuses a hostile Metalink, a --sha256 it contradicts, and a URL that is not one, before any request', async () => {
    const server = await serve();
    const dir = tempDir();
    const hostile = join(dir, 'evil.meta4');
    writeFileSync(
      hostile,
      `<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>${metalink('a', [server.url])}`,
    );
    const evil = await runPathwise(['get', hostile, '-o', `${dir}/`]);
    expect(evil.code).toBe(2);
    expect(evil.stderr).toMatch(
      /not a Metalink file Pathwise can read: .*declaration is refused.*\[E_METALINK\]/s,
    );
    const good = join(dir, 'good.meta4');
    writeFileSync(good, metalink('a', [server.url], `<hash type="sha-256">${'0'.repeat(64)}</hash>`));
    const contradicted = await runPathwise(['get', good, '--sha256', sha256(content), '-o', `${dir}/`]);
    expect(contradicted.code).toBe(2);
    expect(contradicted.stderr).toMatch(/is not the Metalink's SHA-256/);
    const notUrl = await runPathwise(['get', server.url, 'mirror.example/file.bin', '-o', `${dir}/`]);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toMatch(
      /"mirror\.example\/file\.bin" is not an http:\/\/ or https:\/\/ URL, nor a Metalink file/,
    );
    expect(server.requests).toEqual([]);
  });
});

describe('pathwise get with mirrors, as they change', () => {
  it('says on stderr when a mirror is dropped, and why', async () => {
    const [primary, shorter] = [await serve(), await serve(content.subarray(1))];
    const result = await runPathwise([
      'get',
      primary.url,
      shorter.url,
      '-o',
      join(tempDir(), 'o.bin'),
      ...PATHS,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`pathwise: source dropped: ${shorter.url} — `);
    expect(result.stderr.match(/source dropped/g)).toHaveLength(1);
  });
});

describe('pathwise get with a Metalink of several files', () => {
  it('downloads the file --select-file names from a Metalink that lists several', async () => {
    const [server, other] = [await serve(), await serve(content.subarray(0, 1000))];
    const dir = tempDir();
    const set = join(dir, 'set.meta4');
    writeFileSync(
      set,
      `<metalink xmlns="urn:ietf:params:xml:ns:metalink"><file name="small.bin"><size>1000</size><url>${other.url}</url></file><file name="big.bin"><size>${SIZE}</size><url>${server.url}</url></file></metalink>`,
    );
    const asked = await runPathwise(['get', set, '-o', `${dir}/`]);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toMatch(/describes 2 files \(1\. small\.bin, 2\. big\.bin\).*--select-file/);
    const chosen = await runPathwise(['get', set, '--select-file', '2', '-o', `${dir}/`, '--json', ...PATHS]);
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(final(chosen)).toMatchObject({
      status: 'done',
      file: join(dir, 'big.bin'),
      sha256: sha256(content),
    });
    expect(other.requests).toEqual([]);
    const misused = await runPathwise(['get', server.url, '--select-file', '1', '-o', `${dir}/`]);
    expect(misused.code).toBe(2);
    expect(misused.stderr).toMatch(/--select-file chooses a file of a Metalink/);
  });
});

describe('pathwise get with a Metalink on a server', () => {
  it('fetches a Metalink from a server (URL ending .meta4), then the file it describes', async () => {
    const [first, second] = [await serve(), await serve()];
    const document = await startRangeServer(
      Buffer.from(
        metalink('release.iso', [first.url, second.url], `<hash type="sha-256">${sha256(content)}</hash>`),
      ),
      { path: '/pub/release.meta4' },
    );
    servers.push(document);
    const dir = tempDir();
    const result = await runPathwise(['get', document.url, '-o', `${dir}/`, '--json', ...PATHS]);
    expect(result.code, result.stderr).toBe(0);
    const done = final(result);
    expect(done).toMatchObject({ status: 'done', sha256: sha256(content), file: join(dir, 'release.iso') });
    expect(done.sources?.map((s) => s.url)).toEqual([first.url, second.url]);
    expect(document.requests.length).toBeGreaterThan(0);
    const mirrored = await runPathwise(['get', document.url, first.url, '-o', `${dir}/`]);
    expect(mirrored.code).toBe(2);
    expect(mirrored.stderr).toMatch(/names the file's URLs itself: give it alone/);
    // --no-metalink: the document itself is what the user wants.
    const own = await runPathwise([
      'get',
      document.url,
      '-o',
      `${dir}/`,
      '--no-metalink',
      '--json',
      ...PATHS,
    ]);
    expect(own.code, own.stderr).toBe(0);
    expect(final(own)).toMatchObject({ status: 'done', file: join(dir, 'release.meta4') });
    expect(readFileSync(join(dir, 'release.meta4'), 'utf8')).toContain('<file name="release.iso">');
  });
});

describe('pathwise get with mirrors, killed and run again', () => {
  it('resumes from the mirror when the primary is gone, keeping what is on disk', async () => {
    const [primary, mirror] = [await serve(), await serve()];
    // Another server, another way of making ETags: the journal must know each source's.
    mirror.behaviour.etag = '"mirror-1"';
    // Only the first half is served in the first run.
    let holding = true;
    for (const server of [primary, mirror]) {
      server.behaviour.onRequest = (log) => {
        const from = Number(/bytes=(\d+)-/.exec(String(log.headers.range ?? ''))?.[1] ?? 0);
        return holding && from >= SIZE / 2 ? new Promise(() => undefined) : undefined;
      };
    }
    const file = join(tempDir(), 'big.bin');
    const args = ['get', primary.url, mirror.url, '-o', file, '--json', ...PATHS];
    const child = spawn(PATHWISE_BIN, args, { env: testEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const journal = (): { done: Array<[number, number]>; sources?: Array<{ url: string }> } | null => {
      try {
        return JSON.parse(readFileSync(`${file}.part.json`, 'utf8')) as ReturnType<typeof journal>;
      } catch {
        return null;
      }
    };
    const saved = (): number => (journal()?.done ?? []).reduce((n, [s, e]) => n + e - s, 0);
    await until(
      () => saved() > 0 && (journal()?.sources?.length ?? 0) === 2,
      30_000,
      'a journal with both sources',
    );
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const onDisk = saved();
    holding = false;
    await primary.close();
    const again = await runPathwise(args, { timeoutMs: 60_000 });
    expect(again.code, again.stderr).toBe(0);
    const done = final(again);
    expect(done).toMatchObject({ status: 'done', sha256: sha256(content), resumedBytes: onDisk });
    expect(done.sources?.[1]?.url).toBe(mirror.url);
    expect(done.sources?.[1]?.bytes).toBeGreaterThanOrEqual(SIZE - onDisk);
    expect(readFileSync(file).equals(content)).toBe(true);
  });
});
