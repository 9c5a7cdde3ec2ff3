/**
 * The desktop app's proxy per URL (issue 25): the shell hands the core Chromium's resolver
 * (Electron's `session.defaultSession.resolveProxy`, faked here as the test's PAC file), and the
 * app's downloads go through the proxy it names for their host, the environment's still first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TransferInfo } from '../../common/contract.ts';
import { createPathwise, type Pathwise } from '../../main/core/createPathwise.ts';
import { chooseProxy } from '../../main/network/proxySettings.ts';
import { readSystemProxy } from '../../main/network/systemProxy.ts';
import { chromiumProxyResolver } from '../../main/shell/systemProxy.ts';
import { tempDir, until } from '../support/engineLab.ts';
import { startProxyServer, type TestProxy } from '../support/proxyServer.ts';
import { deterministicContent, sha256, startRangeServer, type RangeServer } from '../support/rangeServer.ts';

/** What the fake session was asked, and the PAC-style answer it gives for a URL. */
const chromium = vi.hoisted(() => ({
  asked: [] as string[],
  answer: (_url: string): string => 'DIRECT',
}));

vi.mock('electron', async () => ({
  ...(await import('../mocks/electron.ts')),
  session: {
    defaultSession: {
      resolveProxy: async (url: string): Promise<string> => {
        chromium.asked.push(url);
        return chromium.answer(url);
      },
    },
  },
}));

const NAME = 'files.test';
const content = deterministicContent(1_200_000, 77);
const closing: Array<{ close(): Promise<void> }> = [];
let app: Pathwise | undefined;

afterEach(async () => {
  await app?.service.stop();
  app = undefined;
  await Promise.all(closing.splice(0).map((c) => c.close()));
  chromium.asked.length = 0;
});

async function proxyAndServer(): Promise<{ proxy: TestProxy; server: RangeServer }> {
  const server = await startRangeServer(content);
  const proxy = await startProxyServer({ hosts: { [NAME]: '127.0.0.1' } });
  closing.push(server, proxy);
  return { proxy, server };
}

describe("the desktop app's OS proxy setting, through Chromium's resolver", () => {
  it('asks the default session per origin and reads its answer', async () => {
    chromium.answer = (url) =>
      url.startsWith('https://files.example') ? 'SOCKS5 s:1; PROXY proxy.corp:3128' : 'DIRECT';
    const notices: string[] = [];
    const { settings } = await readSystemProxy(
      {},
      { resolveProxy: chromiumProxyResolver(), notify: (n) => notices.push(n) },
    );
    expect(await chooseProxy(settings, 'https:', 'files.example', 443)).toMatchObject({
      protocol: 'http:',
      hostname: 'proxy.corp',
      port: 3128,
      source: 'the system proxy setting',
    });
    expect(await chooseProxy(settings, 'http:', 'other.example', 8080)).toBeNull();
    expect(chromium.asked).toEqual(['https://files.example/', 'http://other.example:8080/']);
    expect(notices).toEqual([
      expect.stringContaining('names a SOCKS5 proxy (s:1) for https://files.example'),
    ]);
  });

  it('never asks it when the environment names a proxy', async () => {
    const { settings } = await readSystemProxy(
      { HTTPS_PROXY: 'http://env-proxy:8080' },
      { resolveProxy: chromiumProxyResolver() },
    );
    expect(await chooseProxy(settings, 'https:', 'files.example', 443)).toMatchObject({
      hostname: 'env-proxy',
    });
    expect(chromium.asked).toEqual([]);
  });

  it("downloads in the app through the proxy the resolver names for the file's host", async () => {
    const { proxy, server } = await proxyAndServer();
    chromium.answer = (url) => (new URL(url).hostname === NAME ? `PROXY 127.0.0.1:${proxy.port}` : 'DIRECT');
    const downloads = tempDir();
    app = await createPathwise({
      shell: 'electron',
      dataDir: tempDir(),
      env: { XDG_DOWNLOAD_DIR: downloads, PATHWISE_PROBE_URL: 'http://127.0.0.1:9/' },
      monitor: { pollIntervalMs: 60_000 },
      resolveProxy: chromiumProxyResolver(),
    });
    await app.service.start();
    // A name only the proxy resolves: a byte that arrives came through it.
    const url = server.url.replace('127.0.0.1', NAME);
    const started = (await app.service.invoke('transfers.start', [{ url, paths: ['lo'] }])) as TransferInfo;
    await until(
      () => app?.transfers.list().find((t) => t.id === started.id)?.state === 'done',
      30_000,
      'the download done',
    );
    const info = app.transfers.list().find((t) => t.id === started.id) as TransferInfo;
    expect(info.sha256).toBe(sha256(content));
    expect(readFileSync(join(downloads, 'file.bin')).equals(content)).toBe(true);
    expect(proxy.visits.length).toBeGreaterThan(0);
    expect(proxy.visits.every((v) => v.kind === 'forward' && v.target.startsWith(`http://${NAME}:`))).toBe(
      true,
    );
    expect(chromium.asked).toContain(`http://${NAME}:${server.port}/`);
  });
});
