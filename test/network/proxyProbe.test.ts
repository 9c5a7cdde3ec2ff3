/**
 * Health probes go the way downloads go (issue 25): through the proxy, so a network that reaches
 * the internet only through its proxy is not called offline, and one whose path can't reach the
 * proxy says so. The probe host is known to the proxy only.
 */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BindAddonStatus } from '../../main/network/bindAddon.ts';
import { HealthProber } from '../../main/network/HealthProber.ts';
import { proxyFromEnv } from '../../main/network/proxySettings.ts';
import { startProxyServer, type TestProxy } from '../support/proxyServer.ts';

const noAddon: BindAddonStatus = { available: false, addon: null, source: null, file: null, reason: 'test' };
let server: Server;
let port: number;
let proxy: TestProxy;

beforeAll(async () => {
  server = http.createServer((_, response) => response.writeHead(204).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  proxy = await startProxyServer({ hosts: { 'probe.test': '127.0.0.1' } });
});
afterAll(async () => {
  await proxy.close();
  await new Promise((resolve) => server.close(resolve));
});

function prober(proxyUrl: string): HealthProber {
  return new HealthProber({
    url: () => `http://probe.test:${port}/generate_204`,
    addon: noAddon,
    retryDelayMs: 10,
    proxy: proxyFromEnv({ http_proxy: proxyUrl }),
  });
}

it('probes through the proxy from the path’s address, and calls the path good', async () => {
  const { health } = await prober(proxy.url).probe({ name: 'lo', addresses: ['127.0.0.2'] });
  expect(health).toMatchObject({ status: 'good' });
  expect(proxy.visits.at(-1)).toMatchObject({
    kind: 'forward',
    from: '127.0.0.2',
    target: `http://probe.test:${port}/generate_204`,
    status: 204,
  });
});

it('says it is the proxy that the path cannot reach', async () => {
  const closed = await startProxyServer();
  await closed.close();
  const { health } = await prober(closed.url).probe({ name: 'lo', addresses: ['127.0.0.2'] });
  expect(health.status).toBe('offline');
  expect(health.detail).toContain(
    `Could not reach probe.test:${port}: The proxy ${closed.url} (http_proxy) cannot be reached over lo (ECONNREFUSED)`,
  );
});
