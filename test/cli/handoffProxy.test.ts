/**
 * `pathwise get` handed to the running app (issue 25) uses the proxies of the command's own
 * environment, for that download only: the app's engine sends it through them (their login
 * included, in memory only), never prints or journals the login, and a command whose environment
 * names no proxy gets the app's own way (here: direct).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Pathwise } from '../../main/core/createPathwise.ts';
import { HandedRequestSchema } from '../../main/host/handoffProtocol.ts';
import { basic } from '../../main/network/proxySettings.ts';
import { tempDir } from '../support/engineLab.ts';
import { startProxyServer, type TestProxy } from '../support/proxyServer.ts';
import { deterministicContent, sha256, startRangeServer, type RangeServer } from '../support/rangeServer.ts';
import { startRunningApp } from '../support/runningApp.ts';
import { cli, type CliRun } from './inProcess.ts';

const SIZE = 1_500_000;
const content = deterministicContent(SIZE, 125);
const NAME = 'files.test';
const PASSWORD = 'pr0xy-h4nded-pw';
const LOGIN = basic('amy', PASSWORD);
const SECRETS = [PASSWORD, LOGIN.slice('Basic '.length)];

let server: RangeServer;
let proxy: TestProxy;
let app: Pathwise;
let dataDir: string;

beforeEach(async () => {
  server = await startRangeServer(content);
  proxy = await startProxyServer({
    hosts: { [NAME]: '127.0.0.1' },
    login: { user: 'amy', password: PASSWORD },
  });
  dataDir = tempDir();
  app = await startRunningApp(dataDir);
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await app.service.stop();
  await Promise.all([server.close(), proxy.close()]);
});

/** The command line run with these variables in its environment (the app's has none). */
async function withEnv(env: Record<string, string>, argv: string[]): Promise<CliRun> {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  try {
    return await cli(argv);
  } finally {
    vi.unstubAllEnvs();
  }
}

function expectNoSecret(where: string, text: string | Buffer): void {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  for (const secret of SECRETS) expect(bytes.includes(secret), `${where} holds ${secret}`).toBe(false);
}

function lastLine(run: CliRun): Record<string, unknown> {
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

describe("pathwise get handed to the app, through the command's own proxy", () => {
  it('goes through the proxy its environment names, with its login, printing none of it', async () => {
    const folder = tempDir();
    const url = server.url.replace('127.0.0.1', NAME);
    const proxyUrl = proxy.url.replace('//', `//amy:${PASSWORD}@`);
    const run = await withEnv({ HTTP_PROXY: proxyUrl, NO_PROXY: 'example.invalid' }, [
      ...['get', url, '-o', join(folder, 'via.bin'), '--json', '--paths', 'lo', '--data-dir', dataDir],
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(lastLine(run)).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(app.handed.list()).toHaveLength(1);
    expect(readFileSync(join(folder, 'via.bin')).equals(content)).toBe(true);
    expect(readdirSync(folder)).toEqual(['via.bin']);
    // A name only the proxy resolves, every request forwarded with the login.
    expect(proxy.visits.length).toBeGreaterThan(0);
    expect(
      proxy.visits.every((v) => v.kind === 'forward' && v.authorization === LOGIN && v.status === 206),
    ).toBe(true);
    expectNoSecret('--json output', run.stdout);
    expectNoSecret('transfers --json', (await cli(['transfers', '--json', '--data-dir', dataDir])).stdout);
  });

  it("leaves a command without a proxy in its environment to the app's own way (direct here)", async () => {
    const run = await withEnv({}, [
      'get',
      server.url,
      '-o',
      join(tempDir(), 'direct.bin'),
      '--json',
      '--data-dir',
      dataDir,
    ]);
    expect(run.code).toBe(0);
    expect(app.handed.list()).toHaveLength(1);
    expect(proxy.visits).toEqual([]);
    expect(server.requests.length).toBeGreaterThan(0);
  });

  it("fails with E_PROXY_AUTH when the proxy refuses the command's login, never showing the login", async () => {
    const url = server.url.replace('127.0.0.1', NAME);
    const wrong = proxy.url.replace('//', '//amy:wrong-pw@');
    const run = await withEnv({ http_proxy: wrong }, [
      ...['get', url, '-o', join(tempDir(), 'refused.bin'), '--json', '--paths', 'lo', '--data-dir', dataDir],
    ]);
    expect(lastLine(run)).toMatchObject({ status: 'failed', error: { code: 'E_PROXY_AUTH' } });
    expect(run.stderr).toContain('asks for a login (407 Proxy Authentication Required)');
    expect(proxy.visits.every((v) => v.status === 407)).toBe(true);
    expect(`${run.stdout}${run.stderr}`).not.toContain('wrong-pw');
    expect(`${run.stdout}${run.stderr}`).not.toContain(Buffer.from('amy:wrong-pw').toString('base64'));
  });
});

describe("the handoff message's proxy field", () => {
  const request = { url: 'https://a.example/f', file: '/tmp/f', mode: 'aggregate', paths: null, caps: {} };
  const server = {
    protocol: 'http:',
    hostname: 'proxy.corp',
    port: 3128,
    authorization: null,
    source: 'HTTPS_PROXY',
  };

  it('takes the proxies a command sends', () => {
    const proxy = {
      http: null,
      https: { ...server, authorization: LOGIN },
      noProxy: '.internal, 10.0.0.0/8',
    };
    expect(HandedRequestSchema.parse({ ...request, proxy }).proxy).toEqual(proxy);
  });

  it.each([
    ['no proxy at all', { http: null, https: null, noProxy: '' }],
    ['a host with a path in it', { http: null, https: { ...server, hostname: 'a/b' }, noProxy: '' }],
    ['a port out of range', { http: null, https: { ...server, port: 70000 }, noProxy: '' }],
    [
      'a login that is not Basic',
      { http: null, https: { ...server, authorization: 'Bearer x' }, noProxy: '' },
    ],
    [
      'a header break in the login',
      { http: null, https: { ...server, authorization: 'Basic a\r\nX: y' }, noProxy: '' },
    ],
    ['a source that is no proxy variable', { http: null, https: { ...server, source: 'PATH' }, noProxy: '' }],
    ['a field it does not know', { http: null, https: { ...server, extra: 1 }, noProxy: '' }],
    ['a control character in NO_PROXY', { http: null, https: server, noProxy: 'a\nb' }],
  ])('refuses %s', (_, proxy) => {
    expect(HandedRequestSchema.safeParse({ ...request, proxy }).success).toBe(false);
  });
});
