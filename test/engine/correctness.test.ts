import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Transfer } from '../../main/engine/Transfer.ts';
import { A, B, fileEquals, loopPath, makeTransfer, tempDir, twoPaths } from '../support/engineLab.ts';
import {
  deterministicContent,
  isLead,
  isProbe,
  sha256,
  startRangeServer,
  type RangeServer,
  type RangeServerBehaviour,
} from '../support/rangeServer.ts';

const SIZE = 3_000_000;
const content = deterministicContent(SIZE, 11);
let server: RangeServer | undefined;

/** Server behaviour that differs for the engine's probe: `apply` runs before each answer. */
function perProbe(
  apply: (probe: boolean, server: RangeServer) => void,
): Pick<RangeServerBehaviour, 'onRequest'> {
  return { onRequest: (log, s) => apply(isProbe(log), s) };
}

/** Downloads `url` over two paths and checks the file arrived whole and verified. */
async function downloadsWhole(url: string): Promise<void> {
  const { transfer, file } = makeTransfer({ url, paths: twoPaths() });
  expect(await transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
  expect(await fileEquals(file, content)).toBe(true);
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * Downloads `content` over both paths in fixed chunks, without steals or endgame duplicates (which
 * may fetch a tail twice by design), and checks the result.
 */
async function downloadInChunks(url: string, chunk: number): Promise<ReturnType<typeof makeTransfer>> {
  const made = makeTransfer({
    url,
    paths: twoPaths(),
    tuning: { planner: { initialChunk: chunk, maxChunk: chunk, minSteal: Infinity, marginMs: Infinity } },
  });
  expect(await made.transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
  expect(await fileEquals(made.file, content)).toBe(true);
  return made;
}

/** Which path asks for which bytes, and the validator that pins every range to one version. */
describe('a download over two paths (RFC 9110 ranges): paths and the validator', () => {
  it('splits the file over both paths, pins the validator on every range and saves it verified', async () => {
    server = await startRangeServer(content);
    const { transfer, file } = makeTransfer({ url: server.url, paths: twoPaths() });
    const outcome = await transfer.run();
    expect(outcome).toMatchObject({ status: 'done', bytes: SIZE, sha256: sha256(content) });
    expect(await fileEquals(file, content)).toBe(true);
    expect(existsSync(`${file}.part`)).toBe(false);
    expect(existsSync(`${file}.part.json`)).toBe(false);
    const carried = server.requests.filter((r) => r.headers.range && !isProbe(r));
    expect(new Set(carried.map((r) => r.remoteAddress))).toEqual(new Set([A, B]));
    const ranges = server.rangeRequests();
    expect(ranges.length).toBeGreaterThan(0);
    for (const r of ranges) {
      expect(r.status).toBe(206);
      expect(r.headers['if-match']).toBe(server.behaviour.etag);
      expect(r.headers['if-range']).toBe(server.behaviour.etag);
      expect(r.headers['accept-encoding']).toBe('identity');
    }
    const info = transfer.info();
    expect(info.state).toBe('done');
    expect(info.paths['a']?.bytes).toBeGreaterThan(0);
    expect(info.paths['b']?.bytes).toBeGreaterThan(0);
    expect((info.paths['a']?.bytes ?? 0) + (info.paths['b']?.bytes ?? 0)).toBe(SIZE);
  });

  it('uses only the path named in --paths order for a single-path transfer', async () => {
    server = await startRangeServer(content);
    const { transfer, file } = makeTransfer({ url: server.url, paths: [loopPath('b', B)] });
    expect((await transfer.run()).status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
    expect(server.requests.every((r) => r.remoteAddress === B)).toBe(true);
  });

  it('pins Last-Modified (If-Unmodified-Since) when the server only has a weak ETag', async () => {
    server = await startRangeServer(content, { behaviour: { weakEtag: true } });
    const { transfer, file } = makeTransfer({ url: server.url, paths: twoPaths() });
    expect((await transfer.run()).status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
    for (const r of server.rangeRequests()) {
      expect(r.headers['if-match']).toBeUndefined();
      expect(r.headers['if-unmodified-since']).toBe(server.behaviour.lastModified);
    }
  });

  it('follows redirects once and sends every range to the pinned URL', async () => {
    server = await startRangeServer(content, { behaviour: { redirects: { '/latest': '/file.bin' } } });
    const { transfer, file } = makeTransfer({
      url: server.url.replace('/file.bin', '/latest'),
      paths: twoPaths(),
    });
    expect((await transfer.run()).status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
    // Resolved once, by the probe; the other path's lead, sent alongside it before the redirect
    // was known, got the redirect too and was dropped unfollowed.
    const requests = server.requests;
    const toRedirect = requests.filter((r) => r.path === '/latest');
    expect(toRedirect.filter((r) => !isLead(r, requests))).toHaveLength(1);
    expect(requests.filter((r) => isLead(r, requests) && r.path !== '/latest')).toEqual([]);
    expect(server.rangeRequests().every((r) => r.path === '/file.bin')).toBe(true);
  });
});

describe('a download over two paths (RFC 9110 ranges): a file that changes on the server', () => {
  it('starts over cleanly when the file changes on the server, never mixing versions', async () => {
    const updated = deterministicContent(SIZE + 1000, 12);
    server = await startRangeServer(content, {
      behaviour: {
        onRequest: (log, s) => {
          if (s.rangeRequests().length === 3 && !isProbe(log)) s.setContent(updated);
        },
      },
    });
    const { transfer, file, events } = makeTransfer({
      url: server.url,
      paths: twoPaths(),
      tuning: { planner: { initialChunk: 256 << 10, maxChunk: 256 << 10 } },
    });
    const outcome = await transfer.run();
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(updated) });
    expect(await fileEquals(file, updated)).toBe(true);
    expect(server.requests.some((r) => r.status === 412)).toBe(true);
    const restarts = events.filter((e) => e.kind === 'restart');
    expect(restarts).toHaveLength(1);
    expect(restarts[0]?.bytesLost).toBeGreaterThan(0);
  });

  it('fails naming the cause when the file keeps changing on the server', async () => {
    let version = 100;
    server = await startRangeServer(content, {
      behaviour: {
        onRequest: (log, s) => {
          if (!isProbe(log) && s.rangeRequests().length % 3 === 0) {
            s.setContent(deterministicContent(SIZE, version++));
          }
        },
      },
    });
    const { transfer, file } = makeTransfer({
      url: server.url,
      paths: twoPaths(),
      tuning: { maxRestarts: 1, planner: { initialChunk: 128 << 10, maxChunk: 128 << 10 } },
    });
    const outcome = await transfer.run();
    expect(outcome.status === 'failed' && outcome.error.code).toBe('E_CHANGED_ON_SERVER');
    expect(outcome.status === 'failed' && outcome.error.message).toMatch(/changed on the server/);
    expect(existsSync(file)).toBe(false);
  });

  it('treats a 200 answer to a range (If-Range no longer matching) as a change and starts over', async () => {
    const updated = deterministicContent(SIZE, 99);
    server = await startRangeServer(content, {
      behaviour: {
        ignoreIfMatch: true,
        onRequest: (log, s) => {
          if (s.rangeRequests().length === 3 && !isProbe(log)) s.setContent(updated);
        },
      },
    });
    const { transfer, file, events } = makeTransfer({
      url: server.url,
      paths: twoPaths(),
      tuning: { planner: { initialChunk: 256 << 10, maxChunk: 256 << 10 } },
    });
    expect(await transfer.run()).toMatchObject({ status: 'done', sha256: sha256(updated) });
    expect(await fileEquals(file, updated)).toBe(true);
    expect(server.requests.some((r) => r.status === 200)).toBe(true);
    expect(events.filter((e) => e.kind === 'restart')).toHaveLength(1);
  });
});

describe('a download over two paths (RFC 9110 ranges): servers that answer otherwise than asked', () => {
  it('downloads from a server without range support as one stream', async () => {
    server = await startRangeServer(content, { behaviour: { ranges: false } });
    const { transfer, file } = makeTransfer({ url: server.url, paths: twoPaths() });
    const outcome = await transfer.run();
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(await fileEquals(file, content)).toBe(true);
    expect(transfer.info().rangeSupport).toBe(false);
    // The probe's answer already was the whole file: it is not fetched twice (the other path's
    // lead, sent before the server's answer showed it has no ranges, is closed unread).
    const requests = server.requests;
    expect(requests.filter((r) => !isLead(r, requests))).toHaveLength(1);
  });

  it('handles a chunked answer without a length from a server without ranges', async () => {
    server = await startRangeServer(content, { behaviour: { ranges: false, chunked: true } });
    const { transfer, file } = makeTransfer({ url: server.url, paths: twoPaths() });
    expect(await transfer.run()).toMatchObject({ status: 'done', bytes: SIZE });
    expect(await fileEquals(file, content)).toBe(true);
  });

  it('saves an empty file when the server answers 416 to the first byte', async () => {
    server = await startRangeServer(Buffer.alloc(0));
    const { transfer, file } = makeTransfer({ url: server.url, paths: twoPaths() });
    const outcome = await transfer.run();
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(Buffer.alloc(0)) });
    expect((await readFile(file)).length).toBe(0);
  });

  it('keeps the bytes of truncated answers and completes the file', async () => {
    server = await startRangeServer(content, { behaviour: { truncateAfter: 200_000 } });
    const { transfer, file } = makeTransfer({ url: server.url, paths: twoPaths() });
    expect((await transfer.run()).status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
    // Every truncated range resumed where it stopped: nothing was fetched twice.
    const info = transfer.info();
    expect((info.paths['a']?.bytes ?? 0) + (info.paths['b']?.bytes ?? 0)).toBe(SIZE);
  });

  // A server that lies to every request is caught by the probe's own check; lies told after a
  // truthful probe, which only the checks on later answers catch, are in lyingServer.test.ts.
  it('refuses a probe answer whose Content-Range does not match the request and saves nothing', async () => {
    server = await startRangeServer(content, { behaviour: { contentRangeShift: 1 } });
    const { transfer, file } = makeTransfer({ url: server.url, paths: twoPaths() });
    const outcome = await transfer.run();
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.error.code).toBe('E_BAD_RESPONSE');
    expect(outcome.error.message).toMatch(/Content-Range/);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a probe answer whose Content-Length disagrees with its range', async () => {
    server = await startRangeServer(content, { behaviour: { wrongContentLength: true } });
    const { transfer } = makeTransfer({ url: server.url, paths: twoPaths() });
    const outcome = await transfer.run();
    expect(outcome.status === 'failed' && outcome.error.code).toBe('E_BAD_RESPONSE');
  });

  it('asks for identity encoding and, when a server compresses anyway, keeps its bytes as sent', async () => {
    server = await startRangeServer(content, { behaviour: { encoding: 'gzip' } });
    const { transfer, file } = makeTransfer({ url: server.url, paths: twoPaths() });
    expect((await transfer.run()).status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
    expect(server.requests.every((r) => r.headers['accept-encoding'] === 'identity')).toBe(true);
  });
});

describe('a download over two paths (RFC 9110 ranges): failures and the files it keeps', () => {
  it('reports an HTTP error status with its meaning', async () => {
    server = await startRangeServer(content);
    const { transfer } = makeTransfer({
      url: server.url.replace('file.bin', 'missing.bin'),
      paths: twoPaths(),
    });
    const outcome = await transfer.run();
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.error.code).toBe('E_HTTP_STATUS');
    expect(outcome.error.message).toMatch(/404 Not Found/);
  });

  it('names a refused connection', async () => {
    server = await startRangeServer(content);
    const url = server.url;
    await server.close();
    server = undefined;
    const { transfer } = makeTransfer({ url, paths: twoPaths() });
    const outcome = await transfer.run();
    expect(outcome.status === 'failed' && outcome.error.code).toBe('E_REFUSED');
  });

  it('checks an expected SHA-256 and keeps nothing when it does not match', async () => {
    server = await startRangeServer(content);
    const { transfer, file } = makeTransfer({ url: server.url, paths: twoPaths(), sha256: 'ab'.repeat(32) });
    const outcome = await transfer.run();
    expect(outcome.status === 'failed' && outcome.error.code).toBe('E_SHA256_MISMATCH');
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.part`)).toBe(false);

    const ok = makeTransfer({ url: server.url, paths: twoPaths(), sha256: sha256(content).toUpperCase() });
    expect(await ok.transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
  });

  it('never overwrites an existing file', async () => {
    server = await startRangeServer(content);
    const dir = tempDir();
    const existing = join(dir, 'mine.bin');
    await writeFile(existing, 'precious');
    const { transfer } = makeTransfer({ url: server.url, paths: twoPaths(), file: existing });
    const outcome = await transfer.run();
    expect(outcome.status === 'failed' && outcome.error.code).toBe('E_EXISTS');
    expect(await readFile(existing, 'utf8')).toBe('precious');
  });

  it('reduces a hostile Content-Disposition name to one safe file inside the folder', async () => {
    server = await startRangeServer(content, {
      behaviour: {
        contentDisposition: 'attachment; filename="x.bin"; filename*=UTF-8\'\'..%2F..%2Fetc%2F.passwd%07',
      },
    });
    const dir = tempDir();
    await writeFile(join(dir, 'passwd'), 'already here');
    const transfer = new Transfer({ url: server.url, directory: dir, paths: twoPaths() });
    const outcome = await transfer.run();
    expect(outcome.status).toBe('done');
    expect((await readdir(dir)).sort()).toEqual(['passwd', 'passwd (1)']);
    expect(await fileEquals(join(dir, 'passwd (1)'), content)).toBe(true);
  });

  it('fails with the missing folder named when the download folder is gone', async () => {
    server = await startRangeServer(content);
    const folder = join(tempDir(), 'gone');
    const { transfer } = makeTransfer({ url: server.url, paths: twoPaths(), file: join(folder, 'out.bin') });
    expect(await transfer.run()).toMatchObject({ status: 'failed' });
    expect(transfer.info().error).toMatchObject({
      code: 'E_DISK',
      message: `The folder ${folder} does not exist. Create it, or choose another place to save.`,
    });
    expect(existsSync(folder)).toBe(false);
  });
});

/**
 * The probe (the first request, sent before the size and validator are known) is the first chunk
 * wherever a path can take one, so payload flows from the first answer.
 */
describe('a download over two paths (RFC 9110 ranges): the probe as the first chunk', () => {
  it('makes the probe the first chunk: payload flows from the first answer and no byte is asked twice', async () => {
    server = await startRangeServer(content);
    const chunk = 256 << 10;
    const { transfer } = await downloadInChunks(server.url, chunk);
    const [probe, ...rest] = server.requests;
    expect(probe?.headers.range).toBe(`bytes=0-${chunk - 1}`);
    expect(probe?.status).toBe(206);
    expect(probe?.bytes).toBe(chunk);
    expect(rest.every((r) => !isProbe(r))).toBe(true);
    // Every byte was asked for once: the probe's chunk is not fetched again.
    expect(server.requests.reduce((n, r) => n + r.bytes, 0)).toBe(SIZE);
    const info = transfer.info();
    expect((info.paths['a']?.bytes ?? 0) + (info.paths['b']?.bytes ?? 0)).toBe(SIZE);
  });

  it('takes a probe answer shorter than asked (a server that caps ranges) as the first chunk', async () => {
    server = await startRangeServer(content, {
      behaviour: perProbe((probe, s) => {
        s.behaviour.maxRange = probe ? 10_000 : null;
      }),
    });
    await downloadsWhole(server.url);
    expect(server.requests[0]?.bytes).toBe(10_000);
    // The rest is fetched from byte 10 000 on, none of the probe's bytes again.
    expect(server.rangeRequests().every((r) => !/^bytes=0-/.test(r.headers.range ?? ''))).toBe(true);
  });

  it('keeps a probe answer whose connection drops before it is read, fetching the rest again', async () => {
    server = await startRangeServer(content, {
      behaviour: perProbe((probe, s) => {
        s.behaviour.truncateAfter = probe ? 5_000 : null;
      }),
    });
    await downloadsWhole(server.url);
    expect(server.requests[0]?.bytes).toBe(5_000);
  });

  it('refuses a probe answer that overshoots what it asked for', async () => {
    server = await startRangeServer(content, {
      behaviour: {
        onRequest: (log) => {
          // A server that ignores the end of the range but still answers 206.
          if (isProbe(log)) log.headers.range = 'bytes=0-';
        },
      },
    });
    const { transfer, file } = makeTransfer({ url: server.url, paths: twoPaths() });
    const outcome = await transfer.run();
    expect(outcome.status === 'failed' && outcome.error.message).toMatch(
      /asked for bytes 0-\d+, got Content-Range "bytes 0-/,
    );
    expect(existsSync(file)).toBe(false);
  });

  it('probes only the first byte over a path whose cap is smaller than a chunk', async () => {
    server = await startRangeServer(content);
    const { transfer, file } = makeTransfer({
      url: server.url,
      paths: twoPaths(),
      caps: { a: 100_000 },
    });
    expect((await transfer.run()).status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
    expect(server.requests[0]?.headers.range).toBe('bytes=0-0');
    expect(transfer.info().paths['a']?.bytes).toBeLessThanOrEqual(100_000);
  });
});

/** The other paths do not wait for the probe: each sends a lead and opens its connections alongside it. */
describe('a download over two paths (RFC 9110 ranges): the other paths while the probe runs', () => {
  it('asks for the next chunk on the other path alongside the probe and keeps that answer', async () => {
    server = await startRangeServer(content);
    const chunk = 256 << 10;
    const { transfer } = await downloadInChunks(server.url, chunk);
    const requests = server.requests;
    const leads = requests.filter((r) => isLead(r, requests));
    // Path b's first range left with the probe, before the validator was known…
    expect(leads.map((r) => [r.remoteAddress, r.headers.range, r.status])).toEqual([
      [B, `bytes=${chunk}-${2 * chunk - 1}`, 206],
    ]);
    // …and its answer was used: no byte was asked for twice.
    expect(requests.filter((r) => r.headers.range?.startsWith(`bytes=${chunk}-`))).toHaveLength(1);
    expect(requests.reduce((n, r) => n + r.bytes, 0)).toBe(SIZE);
    expect(transfer.info().paths['b']?.bytes).toBeGreaterThanOrEqual(chunk);
  });

  it('drops a lead whose answer names another version and asks for its range again, pinned', async () => {
    const chunk = 256 << 10;
    server = await startRangeServer(content, {
      behaviour: {
        // Path b reaches a server that has another version (a load balancer mid-update): only
        // the lead is answered from it.
        onRequest: (log, s) => {
          if (!isLead(log, s.requests)) return;
          const pinned = s.behaviour.etag;
          s.behaviour.etag = '"another-version"';
          queueMicrotask(() => (s.behaviour.etag = pinned));
        },
      },
    });
    const { events } = await downloadInChunks(server.url, chunk);
    const requests = server.requests;
    const lead = requests.find((r) => isLead(r, requests));
    expect(lead?.headers.range).toBe(`bytes=${chunk}-${2 * chunk - 1}`);
    // Asked again with the validator, by the same path; no restart, no path taken out of service.
    const again = requests.filter((r) => r !== lead && r.headers.range === lead?.headers.range);
    expect(again).toHaveLength(1);
    expect(again[0]?.headers['if-match']).toBe(server.behaviour.etag);
    expect(again[0]?.remoteAddress).toBe(B);
    expect(events.filter((e) => e.kind === 'restart' || e.kind === 'path-lost')).toEqual([]);
  });

  it("opens every path's connections while the probe runs, and no more than it uses", async () => {
    server = await startRangeServer(content, {
      behaviour: {
        // A slow first answer: without connections opened ahead, path b would connect only
        // after it (it carries the size the ranges need).
        ...perProbe((probe, s) => {
          s.behaviour.delayMs = probe ? 300 : 0;
        }),
      },
    });
    await downloadsWhole(server.url);
    const probe = server.requests[0] as (typeof server.requests)[number];
    expect(isProbe(probe)).toBe(true);
    const fromB = server.connections.filter((c) => c.remoteAddress === B);
    expect(fromB.length).toBeGreaterThan(0);
    expect(fromB.every((c) => c.at < probe.at + 150)).toBe(true);
    // Each path has the two connections it uses, none opened for nothing.
    expect(fromB).toHaveLength(2);
    expect(server.connections.filter((c) => c.remoteAddress === A)).toHaveLength(2);
  });
});
