/**
 * `pathwise get URL` of a URL that does not end .meta4 whose server answers with Metalink 4's
 * Content-Type, as aria2's --follow-metalink follows it: the file the document describes is
 * downloaded (in the command's own process, and in the running app's engine when handed to it);
 * --no-metalink keeps the document; --select-file picks one of its files, and is refused clearly
 * when the answer is no Metalink; a URL typed with mirrors is a file, whatever it is served as.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pathwise } from '../../main/core/createPathwise.ts';
import { runPathwise, type CliResult } from '../support/cli.ts';
import { A, B, tempDir } from '../support/engineLab.ts';
import { deterministicContent, sha256, startRangeServer, type RangeServer } from '../support/rangeServer.ts';
import { startRunningApp } from '../support/runningApp.ts';
import { cli } from './inProcess.ts';

const SIZE = 1_200_000;
const content = deterministicContent(SIZE, 93);
const LAST_MODIFIED = 'Tue, 01 Dec 2026 10:00:00 GMT';
const PATHS = ['--paths', `a=${A},b=${B}`];
const METALINK4 = 'application/metalink4+xml; charset=UTF-8';
const servers: RangeServer[] = [];
let app: Pathwise | null = null;

afterEach(async () => {
  await app?.service.stop();
  app = null;
  await Promise.all(servers.splice(0).map((s) => s.close().catch(() => undefined)));
});

async function serve(body: Buffer, path = '/file.bin', type?: string): Promise<RangeServer> {
  const server = await startRangeServer(body, { path, behaviour: { lastModified: LAST_MODIFIED } });
  if (type) server.behaviour.lie = () => ({ kind: 'headers', headers: { 'content-type': type } });
  servers.push(server);
  return server;
}

function meta4(files: Array<{ name: string; body: Buffer; url: string }>): Buffer {
  const listed = files.map(
    (f) =>
      `<file name="${f.name}"><size>${f.body.length}</size><hash type="sha-256">${sha256(f.body)}</hash><url>${f.url}</url></file>`,
  );
  return Buffer.from(`<metalink xmlns="urn:ietf:params:xml:ns:metalink">${listed.join('')}</metalink>`);
}

/** A Metalink of `content` at /download?id=7, served as Metalink 4. */
async function sniffable(): Promise<{ url: string; body: Buffer; doc: RangeServer }> {
  const primary = await serve(content);
  const body = meta4([{ name: 'release.iso', body: content, url: primary.url }]);
  const doc = await serve(body, '/download', METALINK4);
  return { url: `${doc.url}?id=7`, body, doc };
}

function final(result: { stdout: string }): { status: string; file?: string; sha256?: string } {
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as ReturnType<typeof final>;
}

function ok(result: CliResult): void {
  expect(result.code, result.stderr).toBe(0);
}

describe('pathwise get of a URL served as a Metalink 4', () => {
  it('follows it to the file it describes; --no-metalink keeps the document', async () => {
    const { url, body } = await sniffable();
    const dir = tempDir();
    const followed = await runPathwise(['get', url, '-o', `${dir}/`, '--json', ...PATHS]);
    ok(followed);
    expect(final(followed)).toMatchObject({
      status: 'done',
      file: join(dir, 'release.iso'),
      sha256: sha256(content),
    });
    expect(readdirSync(dir)).toEqual(['release.iso']);
    const own = await runPathwise(['get', url, '-o', `${dir}/`, '--no-metalink', '--json', ...PATHS]);
    ok(own);
    expect(final(own)).toMatchObject({ status: 'done', file: join(dir, 'download'), sha256: sha256(body) });
    expect(readFileSync(join(dir, 'download')).equals(body)).toBe(true);
  });

  it('downloads the file --select-file names; refuses it when the answer is no Metalink', async () => {
    const small = content.subarray(0, 1000);
    const [first, second] = [await serve(small), await serve(content)];
    const set = meta4([
      { name: 'small.bin', body: small, url: first.url },
      { name: 'big.bin', body: content, url: second.url },
    ]);
    const doc = await serve(set, '/download', METALINK4);
    const dir = tempDir();
    const chosen = await runPathwise(['get', doc.url, '--select-file', 'big.bin', '-o', `${dir}/`, '--json']);
    ok(chosen);
    expect(final(chosen)).toMatchObject({
      status: 'done',
      file: join(dir, 'big.bin'),
      sha256: sha256(content),
    });
    expect(first.requests).toEqual([]);
    const plain = await serve(content, '/download', 'application/octet-stream');
    const refused = await runPathwise(['get', plain.url, '--select-file', '2', '-o', `${dir}/`]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `--select-file chooses a file of a Metalink, but ${plain.url} is not one: its server answers with Content-Type application/octet-stream`,
    );
    expect(readdirSync(dir)).toEqual(['big.bin']);
    const mixed = await runPathwise(['get', doc.url, '--select-file', '2', '--no-metalink', '-o', `${dir}/`]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/which --no-metalink does not read: give one or the other/);
  });

  it('takes a URL typed with mirrors as the file, whatever it is served as', async () => {
    const { url, body, doc } = await sniffable();
    const dir = tempDir();
    const mirror = await serve(body, '/download', METALINK4);
    const result = await runPathwise(['get', url, `${mirror.url}?id=7`, '-o', `${dir}/`, '--json', ...PATHS]);
    ok(result);
    expect(final(result)).toMatchObject({
      status: 'done',
      file: join(dir, 'download'),
      sha256: sha256(body),
    });
    expect(doc.requests.length).toBeGreaterThan(0);
  });
});

describe('pathwise get of a URL served as a Metalink 4, handed to the running app', () => {
  it('follows it in the app’s engine', async () => {
    const { url } = await sniffable();
    const dataDir = tempDir();
    app = await startRunningApp(dataDir);
    const dir = tempDir();
    const run = await cli(['get', url, '-o', `${dir}/`, '--json', '--data-dir', dataDir]);
    expect(run.code, run.stderr).toBe(0);
    expect(app.handed.list()).toHaveLength(1);
    expect(final(run)).toMatchObject({
      status: 'done',
      file: join(dir, 'release.iso'),
      sha256: sha256(content),
    });
    expect(readdirSync(dir)).toEqual(['release.iso']);
  });
});
