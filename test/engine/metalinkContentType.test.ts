/**
 * A Metalink known by its Content-Type (aria2's --follow-metalink): a download asked to follow one
 * (TransferOptions.followMetalink, what `pathwise get URL` asks for) of a URL that does not end .meta4 follows it when the server answers with `application/metalink4+xml`: the document
 * is fetched (its bytes counted), then the file it describes, and nothing of the document is
 * written as the file. Any other type (Metalink 3's included) is the file itself; a download that
 * was not asked to follow (the dashboard's, --no-metalink) keeps what the server sent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HandedRequestSchema } from '../../main/host/handoffProtocol.ts';
import { Transfer, type TransferOptions } from '../../main/engine/Transfer.ts';
import { failureOf, fileEquals, tempDir, twoPaths, until } from '../support/engineLab.ts';
import {
  deterministicContent,
  isProbe,
  sha256,
  startRangeServer,
  type RangeServer,
} from '../support/rangeServer.ts';

const SIZE = 1_500_000;
const content = deterministicContent(SIZE, 91);
const LAST_MODIFIED = 'Tue, 01 Dec 2026 10:00:00 GMT';
const METALINK4 = 'Application/Metalink4+XML; charset=utf-8';
const servers: RangeServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(body: Buffer, path = '/file.bin'): Promise<RangeServer> {
  const server = await startRangeServer(body, { path, behaviour: { lastModified: LAST_MODIFIED } });
  servers.push(server);
  return server;
}

/** `body` at /download (no .meta4 in sight), every answer labelled with `type`. */
async function typed(body: Buffer, type: string): Promise<RangeServer> {
  const server = await serve(body, '/download');
  server.behaviour.lie = () => ({ kind: 'headers', headers: { 'content-type': type } });
  return server;
}

function meta4(files: Array<{ name: string; body: Buffer; url: string }>, padding = ''): Buffer {
  const listed = files.map(
    (f) =>
      `<file name="${f.name}"><size>${f.body.length}</size><hash type="sha-256">${sha256(f.body)}</hash><url priority="1">${f.url}</url></file>`,
  );
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<metalink xmlns="urn:ietf:params:xml:ns:metalink">${listed.join('\n')}${padding}</metalink>\n`,
  );
}

/** A download of `url` into `directory`, following a Metalink by its type unless `mirrors` says otherwise. */
function download(url: string, directory: string, extra: Partial<TransferOptions> = {}) {
  const transfer = new Transfer({
    url,
    followMetalink: true,
    directory,
    paths: twoPaths(),
    tuning: { retryBaseMs: 200 },
    ...extra,
  });
  let counted = 0;
  transfer.on('bytes', (e) => (counted += e.bytes));
  return { transfer, counted: () => counted };
}

describe('a Metalink 4 known by its Content-Type', () => {
  it('is followed: the document fetched and counted, the file it describes downloaded, nothing else left', async () => {
    const primary = await serve(content);
    const body = meta4([{ name: 'release.iso', body: content, url: primary.url }]);
    const doc = await typed(body, METALINK4);
    const directory = tempDir();
    const { transfer, counted } = download(`${doc.url}?id=7`, directory);
    const outcome = await transfer.run();
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(outcome.status === 'done' && outcome.file).toBe(join(directory, 'release.iso'));
    expect(await fileEquals(join(directory, 'release.iso'), content)).toBe(true);
    // The document's bytes reached the ledger with the file's (its probe's too, when it had read any).
    expect(counted()).toBeGreaterThanOrEqual(SIZE + body.length);
    // No part file or journal of the file's download that stopped at the answer's type.
    expect(readdirSync(directory)).toEqual(['release.iso']);
    expect(transfer.info()).toMatchObject({ url: `${doc.url}?id=7`, state: 'done' });
    expect(primary.requests.length).toBeGreaterThan(0);
  });

  it('picks the file --select-file names when the document lists several', async () => {
    const small = content.subarray(0, 1000);
    const [first, second] = [await serve(small), await serve(content)];
    const doc = await typed(
      meta4([
        { name: 'small.bin', body: small, url: first.url },
        { name: 'big.bin', body: content, url: second.url },
      ]),
      METALINK4,
    );
    const directory = tempDir();
    const { transfer } = download(doc.url, directory, { mirrors: { urls: [], select: '2' } });
    expect(await transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(readdirSync(directory)).toEqual(['big.bin']);
    expect(first.requests).toEqual([]);
  });

  it('refuses a document over 1 MiB with E_METALINK, writing nothing', async () => {
    const padding = `\n<!-- ${'x'.repeat(1 << 20)} -->`;
    const body = meta4([{ name: 'release.iso', body: content, url: 'http://127.0.0.1:1/x' }], padding);
    const doc = await typed(body, METALINK4);
    const directory = tempDir();
    const error = failureOf(await download(doc.url, directory).transfer.run());
    expect(error.code).toBe('E_METALINK');
    expect(error.message).toMatch(
      /^The Metalink at http:\/\/127\.0\.0\.1:\d+\/download is larger than 1 MiB/,
    );
    expect(readdirSync(directory)).toEqual([]);
  });
});

describe('a Metalink 4 known by its Content-Type, a resume and an earlier part file', () => {
  it('pauses in the file’s download and resumes as the Metalink’s, the file’s bytes kept', async () => {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const primary = await startRangeServer(content, {
      behaviour: { lastModified: LAST_MODIFIED, onRequest: (log) => (isProbe(log) ? undefined : held) },
    });
    servers.push(primary);
    const doc = await typed(meta4([{ name: 'release.iso', body: content, url: primary.url }]), METALINK4);
    const directory = tempDir();
    const { transfer } = download(doc.url, directory, {
      tuning: { retryBaseMs: 200, planner: { initialChunk: 256 << 10, maxChunk: 256 << 10 } },
    });
    const running = transfer.run();
    await until(() => transfer.info().received > 0, 20_000, 'the first chunk on disk');
    await transfer.pause();
    expect(await running).toEqual({ status: 'paused' });
    release();
    const outcome = await transfer.run();
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(outcome.status === 'done' && outcome.resumedBytes).toBeGreaterThan(0);
    expect(readdirSync(directory)).toEqual(['release.iso']);
    // The resume went straight to the document: one probe for the type, one per fetch of it.
    expect(doc.requests.filter(isProbe).length).toBe(3);
  });

  it('leaves a part file of an earlier download of that URL alone, never mixing it with the document', async () => {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const primary = await serve(content);
    const site = await serve(content, '/download');
    site.behaviour.onRequest = (log) => (isProbe(log) ? undefined : held);
    const directory = tempDir();
    // The URL served a file then: its download paused half-way.
    const earlier = download(site.url, directory, {
      tuning: { retryBaseMs: 200, planner: { initialChunk: 256 << 10, maxChunk: 256 << 10 } },
    });
    const running = earlier.transfer.run();
    await until(() => earlier.transfer.info().received > 0, 20_000, 'the first chunk on disk');
    await earlier.transfer.pause();
    expect(await running).toEqual({ status: 'paused' });
    const before = readdirSync(directory).sort();
    expect(before).toContain('download.part');
    const part = readFileSync(join(directory, 'download.part'));
    release();
    // Now it serves a Metalink of that file.
    site.behaviour.onRequest = null;
    site.setContent(meta4([{ name: 'release.iso', body: content, url: primary.url }]));
    site.behaviour.lie = () => ({ kind: 'headers', headers: { 'content-type': METALINK4 } });
    const outcome = await download(site.url, directory).transfer.run();
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(readdirSync(directory).sort()).toEqual([...before, 'release.iso'].sort());
    expect(readFileSync(join(directory, 'download.part')).equals(part)).toBe(true);
  });
});

describe('an answer that is not a Metalink 4', () => {
  it('is the file itself, whatever its type (Metalink 3 and none included)', async () => {
    for (const type of ['application/octet-stream', 'application/metalink+xml', null]) {
      const server = await serve(content, '/download');
      if (type) server.behaviour.lie = () => ({ kind: 'headers', headers: { 'content-type': type } });
      const directory = tempDir();
      const outcome = await download(server.url, directory).transfer.run();
      expect(outcome, String(type)).toMatchObject({ status: 'done', sha256: sha256(content) });
      expect(readdirSync(directory)).toEqual(['download']);
    }
  });

  it('fails with E_METALINK when --select-file chose a file of it, writing nothing', async () => {
    const server = await typed(content, 'application/octet-stream');
    const directory = tempDir();
    const made = download(server.url, directory, { mirrors: { urls: [], select: 'big.bin' } });
    const error = failureOf(await made.transfer.run());
    expect(error.code).toBe('E_METALINK');
    expect(error.message).toBe(
      `--select-file chooses a file of a Metalink, but ${server.url} is not one: its server answers with Content-Type application/octet-stream, not application/metalink4+xml. Nothing was downloaded; leave out --select-file to download it as it is.`,
    );
    expect(readdirSync(directory)).toEqual([]);
  });
});

describe('a download not asked to follow a Metalink', () => {
  it('keeps the document a Metalink 4 answer is (the dashboard’s, --no-metalink)', async () => {
    const body = meta4([{ name: 'release.iso', body: content, url: 'http://127.0.0.1:1/x' }]);
    const doc = await typed(body, METALINK4);
    const directory = tempDir();
    const transfer = new Transfer({ url: doc.url, directory, paths: twoPaths() });
    const outcome = await transfer.run();
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(body) });
    expect(readFileSync(join(directory, 'download')).equals(body)).toBe(true);
  });

  it('keeps it when the URL has mirrors: a file has mirrors, a document does not', async () => {
    const body = meta4([{ name: 'release.iso', body: content, url: 'http://127.0.0.1:1/x' }]);
    const [doc, mirror] = [await typed(body, METALINK4), await typed(body, METALINK4)];
    const directory = tempDir();
    const made = download(doc.url, directory, { mirrors: { urls: [{ url: mirror.url }] } });
    expect(await made.transfer.run()).toMatchObject({ status: 'done', sha256: sha256(body) });
    expect(readdirSync(directory)).toEqual(['download']);
  });

  it('is what a handed request asks with followMetalink: true, and nothing else', () => {
    const request = { url: 'http://127.0.0.1:1/download', directory: '/tmp', mode: 'aggregate' };
    const handed = { ...request, paths: null, caps: {} };
    expect(HandedRequestSchema.safeParse({ ...handed, followMetalink: true }).data?.followMetalink).toBe(
      true,
    );
    expect(HandedRequestSchema.safeParse(handed).data?.followMetalink).toBeUndefined();
    for (const wrong of [false, 'yes', 1]) {
      expect(HandedRequestSchema.safeParse({ ...handed, followMetalink: wrong }).success).toBe(false);
    }
  });
});
