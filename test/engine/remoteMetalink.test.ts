/**
 * A Metalink on a server (issue 25): `pathwise get http://…/file.meta4` fetches the document over
 * the download's paths (its bytes counted like any download's), then the file it describes from
 * the mirrors it lists, under the document's name for it. A document larger than 1 MiB is not
 * read, and the URLs a document on the internet lists pass the redirect guard: none may lead into
 * this machine or its network. Everything runs on loopback; the guard's tests say which loopback
 * address stands for the internet.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContinuityEvent } from '../../common/contract.ts';
import { classifyAddress, type AddressRules } from '../../main/engine/RedirectGuard.ts';
import { basicAuthorization } from '../../main/engine/requestAuth.ts';
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
const content = deterministicContent(SIZE, 4);
const LAST_MODIFIED = 'Tue, 01 Dec 2026 10:00:00 GMT';
/** Stands in for a server on the internet (see redirectGuard.test.ts). */
const PUBLIC = '127.0.0.1';
/** Stands in for a service on the user's own machine or network. */
const INTERNAL = '127.0.0.9';
const servers: RangeServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(
  body: Buffer,
  options: Parameters<typeof startRangeServer>[1] = {},
): Promise<RangeServer> {
  const server = await startRangeServer(body, {
    ...options,
    behaviour: { lastModified: LAST_MODIFIED, ...options.behaviour },
  });
  servers.push(server);
  return server;
}

function meta4(urls: string[], extra = ''): Buffer {
  const listed = urls.map((u, i) => `<url priority="${i + 1}">${u}</url>`).join('\n    ');
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<metalink xmlns="urn:ietf:params:xml:ns:metalink">
  <file name="release.iso">
    <size>${SIZE}</size>
    <hash type="sha-256">${sha256(content)}</hash>
    ${listed}${extra}
  </file>
</metalink>
`);
}

/** The document, served as a .meta4 by a server of its own. */
async function document(body: Buffer, host = PUBLIC): Promise<RangeServer> {
  return serve(body, { host, path: '/pub/release.meta4' });
}

/** A download of the Metalink at `url` into a fresh folder (the file named as the document says). */
function metalinkDownload(url: string, extra: Partial<TransferOptions> = {}) {
  const directory = tempDir();
  const transfer = new Transfer({
    url,
    mirrors: { urls: [], document: 'metalink' },
    directory,
    paths: twoPaths(),
    tuning: { retryBaseMs: 200 },
    ...extra,
  });
  const events: ContinuityEvent[] = [];
  transfer.on('continuity', (e) => events.push(e));
  return { transfer, directory, events };
}

/** PUBLIC counts as an internet address; every other address is judged as it really is. */
const publicLoopback: AddressRules['classify'] = (address) =>
  address === PUBLIC ? 'public' : classifyAddress(address);

describe('a Metalink fetched from a server', () => {
  it('fetches the document through the engine, then the file from its mirrors, under its name', async () => {
    const primary = await serve(content);
    const mirror = await serve(content);
    const body = meta4([primary.url, mirror.url]);
    const doc = await document(body);
    const { transfer, directory, events } = metalinkDownload(doc.url);
    let counted = 0;
    transfer.on('bytes', (e) => (counted += e.bytes));
    const outcome = await transfer.run();
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(content) });
    const file = join(directory, 'release.iso');
    expect(outcome.status === 'done' && outcome.file).toBe(file);
    expect(await fileEquals(file, content)).toBe(true);
    // The document's bytes reached the ledger like the file's.
    expect(counted).toBe(SIZE + body.length);
    expect(doc.requests.length).toBeGreaterThan(0);
    // Nothing of the document stays behind: the folder holds the file only.
    expect(readdirSync(directory)).toEqual(['release.iso']);
    const info = transfer.info();
    expect(info).toMatchObject({ url: doc.url, state: 'done', file });
    expect(info.sources?.map((s) => s.url)).toEqual([primary.url, mirror.url]);
    expect(events.filter((e) => e.kind === 'path-lost')).toEqual([]);
  });

  it('refuses a document over 1 MiB without reading it', async () => {
    const padding = `\n<!-- ${'x'.repeat(1 << 20)} -->`;
    const doc = await document(meta4(['http://127.0.0.1:1/file.bin'], padding));
    const { transfer, directory } = metalinkDownload(doc.url);
    const error = failureOf(await transfer.run());
    expect(error.code).toBe('E_METALINK');
    expect(error.message).toMatch(
      /^The Metalink at http:\/\/127\.0\.0\.1:\d+\/pub\/release\.meta4 is larger than 1 MiB \(at least \d+ bytes\), the most a Metalink fetched from a server may be, so it is not read\./,
    );
    expect(transfer.info()).toMatchObject({ state: 'failed', error: { code: 'E_METALINK' } });
    expect(readdirSync(directory)).toEqual([]);
  });

  it('says what is wrong with a document that is not a Metalink', async () => {
    const doc = await document(Buffer.from('<html><body>Not found</body></html>'));
    const error = failureOf(await metalinkDownload(doc.url).transfer.run());
    expect(error).toMatchObject({
      code: 'E_METALINK',
      message: expect.stringMatching(/^This is not a Metalink file/),
    });
  });

  it('lets a document on a private address name mirrors there (loopback to loopback)', async () => {
    const internal = await serve(content, { host: INTERNAL });
    const doc = await document(meta4([internal.url]));
    const outcome = await metalinkDownload(doc.url).transfer.run();
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(internal.requests.length).toBeGreaterThan(0);
  });
});

describe('a Metalink fetched from a server, its login and a pause', () => {
  it('sends the login to the document’s site only, not to the sites it lists', async () => {
    const primary = await serve(content);
    const login = basicAuthorization('me', 'pw-meta-s3cret');
    const doc = await serve(meta4([primary.url]), {
      path: '/pub/release.meta4',
      behaviour: {
        lie: (log) => (log.headers.authorization === login ? null : { kind: 'status', status: 401 }),
      },
    });
    const made = metalinkDownload(doc.url, {
      access: { headers: [], basic: { user: 'me', password: 'pw-meta-s3cret' }, cookies: [] },
    });
    expect(await made.transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(doc.requests.every((r) => r.headers.authorization === login)).toBe(true);
    expect(primary.requests.length).toBeGreaterThan(0);
    expect(primary.requests.some((r) => r.headers.authorization !== undefined)).toBe(false);
  });

  it('pauses in the file’s download and resumes it, the document fetched again', async () => {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const primary = await serve(content, {
      behaviour: { onRequest: (log) => (isProbe(log) ? undefined : held) },
    });
    const doc = await document(meta4([primary.url]));
    const { transfer, directory } = metalinkDownload(doc.url, {
      tuning: { retryBaseMs: 200, planner: { initialChunk: 256 << 10, maxChunk: 256 << 10 } },
    });
    const running = transfer.run();
    await until(() => transfer.info().received > 0, 20_000, 'the first chunk on disk');
    expect(transfer.info()).toMatchObject({ url: doc.url, file: join(directory, 'release.iso') });
    await transfer.pause();
    expect(await running).toEqual({ status: 'paused' });
    expect(transfer.currentState).toBe('paused');
    release();
    const outcome = await transfer.run();
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(outcome.status === 'done' && outcome.resumedBytes).toBeGreaterThan(0);
    expect(await fileEquals(join(directory, 'release.iso'), content)).toBe(true);
    expect(doc.requests.filter(isProbe).length).toBe(2);
  });
});

describe('the URLs a document on the internet lists, through the redirect guard', () => {
  const rules: AddressRules = { classify: publicLoopback };

  it('fails with E_REDIRECT when every URL leads into this machine, asking those servers nothing', async () => {
    const internal = await serve(content, { host: INTERNAL });
    const doc = await document(meta4([internal.url]));
    const made = metalinkDownload(doc.url, { addressRules: rules });
    const error = failureOf(await made.transfer.run());
    expect(error.code).toBe('E_REDIRECT');
    expect(error.message).toContain(
      `${doc.url} redirects to ${internal.url}, which leads to ${INTERNAL}, a loopback address`,
    );
    expect(internal.requests).toEqual([]);
    expect(doc.requests.length).toBeGreaterThan(0);
    expect(readdirSync(made.directory)).toEqual([]);
  });

  it('leaves out the URLs that do, and downloads from the others', async () => {
    const internal = await serve(content, { host: INTERNAL });
    const outside = await serve(content, { host: PUBLIC });
    const doc = await document(meta4([internal.url, outside.url]));
    const made = metalinkDownload(doc.url, { addressRules: rules });
    expect(await made.transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(internal.requests).toEqual([]);
    expect(outside.requests.length).toBeGreaterThan(0);
    expect(existsSync(join(made.directory, 'release.iso'))).toBe(true);
  });
});
