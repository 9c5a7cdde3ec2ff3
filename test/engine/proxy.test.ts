/**
 * Downloads through a proxy (issue 25): https through CONNECT tunnels, http forwarded in absolute
 * form, each path's sockets going to the proxy from that path's address. The file's host name is
 * known to the proxy only (test workers resolve nothing but lab names), so a byte that arrives
 * proves the proxy carried it. The OS's setting, per URL, is played by a resolver function giving
 * PAC-style answers, as the desktop app's Chromium does.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPathAgent, type PathEndpoint } from '../../main/engine/pathAgent.ts';
import { proxyFromEnv, type ProxySettings } from '../../main/network/proxySettings.ts';
import { readSystemProxy } from '../../main/network/systemProxy.ts';
import { A, B, failureOf, fileEquals, makeTransfer, twoPaths } from '../support/engineLab.ts';
import { startProxyServer, type TestProxy } from '../support/proxyServer.ts';
import { deterministicContent, sha256, startRangeServer, type RangeServer } from '../support/rangeServer.ts';
import { selfSignedCert } from '../support/selfSigned.ts';

const SIZE = 4_000_000;
const content = deterministicContent(SIZE, 25);
const NAME = 'files.test';

let tls: ReturnType<typeof selfSignedCert>;
/** The certificate of an https:// proxy on 127.0.0.1. */
let proxyTls: ReturnType<typeof selfSignedCert>;
const servers: Array<RangeServer | TestProxy> = [];
beforeAll(() => {
  tls = selfSignedCert(NAME, `DNS:${NAME}`);
  proxyTls = selfSignedCert('127.0.0.1', 'IP:127.0.0.1');
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function files(secure: boolean): Promise<RangeServer> {
  const server = await startRangeServer(content, secure ? { tls: { key: tls.key, cert: tls.cert } } : {});
  servers.push(server);
  return server;
}

async function proxyFor(options: Parameters<typeof startProxyServer>[0] = {}): Promise<TestProxy> {
  const proxy = await startProxyServer({ hosts: { [NAME]: '127.0.0.1' }, ...options });
  servers.push(proxy);
  return proxy;
}

/** The engine's pools as PathBinder makes them, with these proxies and the test's certificate. */
function pools(proxy: ProxySettings | null): (path: PathEndpoint) => ReturnType<typeof createPathAgent> {
  return (path) => createPathAgent(path, null, { proxy, connector: { ca: [tls.cert, proxyTls.cert] } });
}

/** The file's URL under the name only the proxy knows. */
function named(server: RangeServer): string {
  return server.url.replace('127.0.0.1', NAME);
}

describe('downloads through a proxy', () => {
  it('tunnels https with CONNECT from both paths, TLS with the server inside (its name as SNI)', async () => {
    const server = await files(true);
    const proxy = await proxyFor();
    const settings = proxyFromEnv({ HTTPS_PROXY: proxy.url });
    const { transfer, file } = makeTransfer({
      url: named(server),
      paths: twoPaths(),
      agentFactory: pools(settings),
    });
    expect(await transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(await fileEquals(file, content)).toBe(true);
    const tunnels = proxy.visits.filter((v) => v.kind === 'connect');
    expect(new Set(tunnels.map((v) => v.from))).toEqual(new Set([A, B]));
    expect(new Set(tunnels.map((v) => v.target))).toEqual(new Set([`${NAME}:${server.port}`]));
    expect(tunnels.every((v) => v.status === 200)).toBe(true);
    // Every byte of the file came through the proxy (TLS records around it).
    expect(proxy.bytes()).toBeGreaterThan(SIZE);
    expect(transfer.info().paths['b']?.bytes).toBeGreaterThan(0);
  });

  it('forwards plain http in absolute form from both paths, and leaves NO_PROXY hosts direct', async () => {
    const server = await files(false);
    const proxy = await proxyFor();
    const settings = proxyFromEnv({ http_proxy: proxy.url, NO_PROXY: '127.0.0.1' });
    const via = makeTransfer({ url: named(server), paths: twoPaths(), agentFactory: pools(settings) });
    expect(await via.transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
    const forwarded = proxy.visits.filter((v) => v.kind === 'forward');
    expect(new Set(forwarded.map((v) => v.from))).toEqual(new Set([A, B]));
    expect(forwarded.every((v) => v.target === named(server) && v.status === 206)).toBe(true);
    expect(proxy.visits.some((v) => v.kind === 'connect')).toBe(false);

    const seen = proxy.visits.length;
    const direct = makeTransfer({ url: server.url, paths: twoPaths(), agentFactory: pools(settings) });
    expect(await direct.transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(proxy.visits.length).toBe(seen);
  });

  it.each([
    ['https, tunnelled with TLS inside', true, 'connect', 200],
    ['http, forwarded', false, 'forward', 206],
  ])('speaks TLS to an https:// proxy: %s', async (_, secure, kind, status) => {
    const server = await files(secure);
    const proxy = await proxyFor({ tls: { key: proxyTls.key, cert: proxyTls.cert } });
    const settings = proxyFromEnv({ ALL_PROXY: proxy.url });
    const { transfer } = makeTransfer({
      url: named(server),
      paths: twoPaths(),
      agentFactory: pools(settings),
    });
    expect(await transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(proxy.url).toMatch(/^https:/);
    expect(new Set(proxy.visits.map((v) => `${v.kind} ${v.from} ${v.status}`))).toEqual(
      new Set([`${kind} ${A} ${status}`, `${kind} ${B} ${status}`]),
    );
  });

  it('sends the login from the proxy URL, and never shows it', async () => {
    const server = await files(true);
    const proxy = await proxyFor({ login: { user: 'amy', password: 's3cr:t' } });
    const settings = proxyFromEnv({ HTTPS_PROXY: proxy.url.replace('//', '//amy:s3cr%3At@') });
    const { transfer, events } = makeTransfer({
      url: named(server),
      paths: twoPaths(),
      agentFactory: pools(settings),
    });
    expect(await transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(proxy.visits.length).toBeGreaterThan(0);
    expect(proxy.visits.every((v) => v.status === 200)).toBe(true);
    expect(JSON.stringify([transfer.info(), events])).not.toContain('s3cr');
  });
});

describe('a proxy that says no, or is not there', () => {
  it.each([
    ['https (CONNECT)', true],
    ['http (forwarded)', false],
  ])('a 407 over %s ends the download with E_PROXY_AUTH, saying how to log in', async (_, secure) => {
    const server = await files(secure);
    const proxy = await proxyFor({ login: { user: 'amy', password: 'right' } });
    const settings = proxyFromEnv({ ALL_PROXY: proxy.url });
    const { transfer } = makeTransfer({
      url: named(server),
      paths: twoPaths(),
      agentFactory: pools(settings),
    });
    const error = failureOf(await transfer.run());
    expect(error.code).toBe('E_PROXY_AUTH');
    expect(error.message).toContain('asks for a login (407 Proxy Authentication Required)');
    expect(error.message).toContain('http://user:password@host:port');
    expect(proxy.visits.every((v) => v.status === 407)).toBe(true);
  });

  it('a SOCKS proxy, which Pathwise does not speak, fails the download instead of being gone around', async () => {
    const server = await files(false);
    const settings = proxyFromEnv({ ALL_PROXY: 'socks5://127.0.0.1:1080' });
    const { transfer } = makeTransfer({ url: server.url, paths: twoPaths(), agentFactory: pools(settings) });
    const error = failureOf(await transfer.run());
    expect(error.code).toBe('E_PROXY');
    expect(error.message).toMatch(
      /^socks5:\/\/127\.0\.0\.1:1080 \(ALL_PROXY\) is a SOCKS5 proxy, which Pathwise does not speak/,
    );
    expect(server.requests).toEqual([]);
  });

  it('a proxy that is down fails every path with E_PROXY naming it, and nothing goes around it', async () => {
    const server = await files(false);
    const proxy = await startProxyServer();
    await proxy.close();
    const settings = proxyFromEnv({ HTTP_PROXY: proxy.url });
    const { transfer } = makeTransfer({
      url: server.url,
      paths: twoPaths(),
      agentFactory: pools(settings),
    });
    const error = failureOf(await transfer.run());
    expect(error.code).toBe('E_PROXY');
    expect(error.message).toMatch(
      new RegExp(
        `^The proxy http://127\\.0\\.0\\.1:${proxy.port} \\(HTTP_PROXY\\) cannot be reached over [ab] \\(ECONNREFUSED\\)`,
      ),
    );
    expect(error.message).toContain('does not go around a proxy that is set');
    expect(server.requests).toEqual([]);
  });
});

describe("the OS's proxy, chosen per URL by the shell's resolver", () => {
  /** The app's settings with no proxy in the environment and this resolver handed in. */
  async function perUrl(
    answer: (url: string) => string,
  ): Promise<{ settings: ProxySettings; asked: string[] }> {
    const asked: string[] = [];
    const notices: string[] = [];
    const { settings } = await readSystemProxy(
      {},
      {
        resolveProxy: async (url) => {
          asked.push(url);
          return answer(url);
        },
        notify: (notice) => notices.push(notice),
      },
    );
    expect(notices).toEqual([]);
    return { settings: settings as ProxySettings, asked };
  }

  it.each([
    ['https, tunnelled', true, 'connect', 200],
    ['http, forwarded', false, 'forward', 206],
  ])(
    'downloads through the proxy it names for the host (%s), the other hosts direct',
    async (_, secure, kind, status) => {
      const server = await files(secure);
      const proxy = await proxyFor();
      // A PAC file's choice: the proxy for the file's host (first entry), DIRECT for the rest.
      const { settings, asked } = await perUrl((url) =>
        new URL(url).hostname === NAME ? `PROXY 127.0.0.1:${proxy.port}; DIRECT` : 'DIRECT',
      );
      const via = makeTransfer({ url: named(server), paths: twoPaths(), agentFactory: pools(settings) });
      expect(await via.transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
      expect(await fileEquals(via.file, content)).toBe(true);
      expect(new Set(proxy.visits.map((v) => `${v.kind} ${v.from} ${v.status}`))).toEqual(
        new Set([`${kind} ${A} ${status}`, `${kind} ${B} ${status}`]),
      );
      // Asked once for the origin, however many connections and requests the two paths made.
      const origin = `${secure ? 'https' : 'http'}://${NAME}:${server.port}/`;
      expect(asked).toEqual([origin]);

      if (secure) return; // The certificate names the host only the proxy knows.
      const seen = proxy.visits.length;
      const direct = makeTransfer({ url: server.url, paths: twoPaths(), agentFactory: pools(settings) });
      expect(await direct.transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
      expect(proxy.visits.length).toBe(seen);
      expect(asked).toEqual([origin, `http://127.0.0.1:${server.port}/`]);
    },
  );

  it('an answer with only SOCKS proxies fails the download with E_PROXY, and nothing goes around it', async () => {
    const server = await files(false);
    const { settings } = await readSystemProxy({}, { resolveProxy: async () => 'SOCKS5 127.0.0.1:1080' });
    const { transfer } = makeTransfer({ url: server.url, paths: twoPaths(), agentFactory: pools(settings) });
    const error = failureOf(await transfer.run());
    expect(error.code).toBe('E_PROXY');
    expect(error.message).toMatch(
      /^The system proxy setting names no proxy Pathwise can use for http:\/\/127\.0\.0\.1:/,
    );
    expect(server.requests).toEqual([]);
  });
});
