/**
 * `pathwise get --user --password-file --header --load-cookies` handed to the running app (issue
 * 25): the credentials travel over the data home's socket and the app's engine sends them, but
 * they are never printed, never in --json, never in `transfers --json`, never in the journal; a
 * paused download resumed in the app still has them (in memory), and a run without them is told
 * that it needs them again.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pathwise } from '../../main/core/createPathwise.ts';
import { basicAuthorization } from '../../main/engine/requestAuth.ts';
import { tempDir, until } from '../support/engineLab.ts';
import {
  deterministicContent,
  isProbe,
  sha256,
  startRangeServer,
  type RangeServer,
  type RequestLog,
} from '../support/rangeServer.ts';
import { cli, type CliRun } from './inProcess.ts';
import { startRunningApp } from '../support/runningApp.ts';

const SIZE = 1_500_000;
const content = deterministicContent(SIZE, 250);
const PASSWORD = 'pw-h4nded-1';
const API_KEY = 'key-h4nded-2';
const COOKIE = 'cookie-h4nded-3';
const LOGIN = basicAuthorization('me', PASSWORD);
const SECRETS = [PASSWORD, API_KEY, COOKIE, LOGIN.slice('Basic '.length)];

let server: RangeServer;
let app: Pathwise;
let dataDir: string;
let access: string[];

const allowed = (r: RequestLog): boolean =>
  r.headers.authorization === LOGIN &&
  r.headers['x-api-key'] === API_KEY &&
  r.headers.cookie === `sid=${COOKIE}`;

beforeEach(async () => {
  server = await startRangeServer(content, {
    behaviour: { lie: (log) => (allowed(log) ? null : { kind: 'status', status: 401 }) },
  });
  dataDir = tempDir();
  const files = tempDir();
  writeFileSync(join(files, 'password'), `${PASSWORD}\n`, { mode: 0o600 });
  writeFileSync(
    join(files, 'cookies.txt'),
    ['127.0.0.1', 'FALSE', '/', 'FALSE', '0', 'sid', COOKIE].join('\t'),
  );
  access = [
    ...['--user', 'me', '--password-file', join(files, 'password')],
    ...['--header', `X-Api-Key: ${API_KEY}`, '--load-cookies', join(files, 'cookies.txt'), '--no-netrc'],
  ];
  app = await startRunningApp(dataDir);
});

afterEach(async () => {
  await app.service.stop();
  await server.close();
});

function expectNoSecret(where: string, bytes: string | Buffer): void {
  const text = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  for (const secret of SECRETS) expect(text.includes(secret), `${where} holds ${secret}`).toBe(false);
}

function lastLine(run: CliRun): Record<string, unknown> {
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

describe('pathwise get with credentials, handed to the running app', () => {
  it('downloads with them in the app’s engine, printing none of them', async () => {
    const file = join(tempDir(), 'allowed.bin');
    const run = await cli(['get', server.url, '-o', file, '--json', ...access, '--data-dir', dataDir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(lastLine(run)).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(app.handed.list()).toHaveLength(1);
    expect(server.requests.length).toBeGreaterThan(1);
    expect(server.requests.filter((r) => !allowed(r))).toEqual([]);
    expectNoSecret('--json output', run.stdout);
    expectNoSecret('stderr', run.stderr);
    expectNoSecret('transfers --json', (await cli(['transfers', '--json', '--data-dir', dataDir])).stdout);
  });

  it('keeps them out of the journal; the app resumes with them from memory', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    server.behaviour.onRequest = (log) => (isProbe(log) ? undefined : held);
    const folder = tempDir();
    const run = await cli([
      'get',
      server.url,
      '-o',
      join(folder, 'kept.bin'),
      '--detach',
      ...access,
      '--data-dir',
      dataDir,
    ]);
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    await until(() => (app.handed.list()[0]?.received ?? 0) > 0, 20_000, 'the first chunk on disk');
    await app.handed.pause(id);
    release();
    server.behaviour.onRequest = null;
    const journal = readFileSync(join(folder, 'kept.bin.part.json'));
    expect(JSON.parse(journal.toString())).toMatchObject({ url: server.url });
    expectNoSecret('the journal', journal);
    expectNoSecret('transfers --json', (await cli(['transfers', '--json', '--data-dir', dataDir])).stdout);
    await app.handed.resume(id);
    await until(() => app.handed.list()[0]?.state === 'done', 20_000, 'done after resume');
    expect(readFileSync(join(folder, 'kept.bin')).equals(content)).toBe(true);
    expect(readdirSync(folder)).toEqual(['kept.bin']);
    expect(server.requests.filter((r) => !allowed(r))).toEqual([]);
  });

  it('sends them the same from a download run in the command itself', async () => {
    const file = join(tempDir(), 'here.bin');
    process.env['PATHWISE_NO_HANDOFF'] = '1';
    let run: CliRun;
    try {
      run = await cli(['get', server.url, '-o', file, '--json', ...access, '--data-dir', dataDir]);
    } finally {
      delete process.env['PATHWISE_NO_HANDOFF'];
    }
    expect(run.code).toBe(0);
    expect(app.handed.list()).toHaveLength(0);
    expect(readFileSync(file).equals(content)).toBe(true);
    expect(server.requests.filter((r) => !allowed(r))).toEqual([]);
    expectNoSecret('--json output', run.stdout);
  });

  it('fails without them with E_AUTH, exit 4, naming how to give them', async () => {
    const file = join(tempDir(), 'refused.bin');
    const run = await cli(['get', server.url, '-o', file, '--json', '--no-netrc', '--data-dir', dataDir]);
    expect(run.code).toBe(4);
    expect(lastLine(run)).toMatchObject({ status: 'failed', error: { code: 'E_AUTH' } });
    expect(run.stderr).toMatch(
      /asks for a login for .* \(401 Unauthorized\), and this download sent none\. .*--user NAME .*\[E_AUTH\]/,
    );
  });
});
