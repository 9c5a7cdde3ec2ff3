import http, { type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthProber, pickLocalAddress } from '../../main/network/HealthProber.ts';

/** A probe endpoint on loopback whose answer depends on the path asked for. */
let server: Server;
let base: string;
const served: Array<{ read: number; written: number }> = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = http.createServer((request, response) => {
    switch (request.url) {
      case '/generate_204':
        response.writeHead(204).end();
        break;
      case '/redirect':
        response.writeHead(302, { location: 'https://portal.example/login' }).end();
        break;
      case '/relative-redirect':
        response.writeHead(302, { location: '/login?continue=1' }).end();
        break;
      case '/script-redirect':
        response.writeHead(302, { location: 'javascript:alert(1)' }).end();
        break;
      case '/credential-redirect':
        response.writeHead(302, { location: 'http://user:secret@portal.example/' }).end();
        break;
      case '/page':
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in to continue</html>');
        break;
      case '/empty-200':
        response.writeHead(200, { 'content-length': '0' }).end();
        break;
      case '/511':
        response.writeHead(511).end('Network authentication required');
        break;
      case '/missing':
        response.writeHead(404).end();
        break;
      case '/silent':
        // Accepts the connection and never answers, like a path whose upstream is gone.
        break;
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      served.push({ read: socket.bytesRead, written: socket.bytesWritten });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const target = { name: 'lo', addresses: ['127.0.0.1', '::1'] };
const prober = (path: string, extra: Partial<ConstructorParameters<typeof HealthProber>[0]> = {}) =>
  new HealthProber({ url: () => `${base}${path}`, timeoutMs: 1500, retryDelayMs: 10, ...extra });

// First: the byte count matches the next socket the server closes, so no earlier probe's may linger.
describe('HealthProber: the path it measured and the bytes it cost', () => {
  it('counts the probe bytes exactly as the server saw them', async () => {
    const before = served.length;
    const result = await prober('/generate_204').probe(target);
    await expect.poll(() => served.length).toBe(before + 1);
    const seen = served[before];
    expect(result.bytesSent).toBe(seen?.read);
    expect(result.bytesReceived).toBe(seen?.written);
    expect(result.bytesSent).toBeGreaterThan(50);
  });

  it('says health is unknown when the probe left through another interface', async () => {
    // The interface's own transmit counter never moves: the probe cannot have gone through it.
    const { health } = await prober('/generate_204', { txBytes: () => 1000, counterSettleMs: 10 }).probe(
      target,
    );
    expect(health.status).toBe('unknown');
    expect(health.detail).toMatch(/left through another interface, not lo/);
  });

  it('trusts the probe when the interface sent at least the request', async () => {
    let tx = 1000;
    // Each read sees the counter 10 kB further on, as if the probe (and more) went out through it.
    const result = await prober('/generate_204', { txBytes: () => (tx += 10_000) }).probe(target);
    expect(result.health.status).toBe('good');
  });

  it('binds the family the URL needs, and says so when the path has none', async () => {
    expect(pickLocalAddress(new URL('http://[::1]/'), ['198.18.1.2', 'fd00::2'])).toEqual({
      address: 'fd00::2',
      family: 6,
    });
    expect(pickLocalAddress(new URL('http://probe.example/'), ['fd00::2', '198.18.1.2'])).toEqual({
      address: '198.18.1.2',
      family: 4,
    });
    const { health } = await prober('/generate_204').probe({ name: 'wwan0', addresses: ['fd00::2'] });
    expect(health).toMatchObject({ status: 'offline', detail: expect.stringMatching(/No IPv4 address/) });
  });
});

describe('HealthProber: what an answer means', () => {
  it('calls an empty 204 good, with the TCP round trip as RTT', async () => {
    const { health } = await prober('/generate_204').probe(target);
    expect(health.status).toBe('good');
    expect(health.rttMs).toBeGreaterThanOrEqual(0);
    expect(health.checkedAt).toBeGreaterThan(0);
  });

  it.each([
    ['/redirect', /Redirected to portal\.example/],
    ['/page', /HTTP 200 with a page/],
    ['/511', /HTTP 511/],
  ])('calls %s a captive portal', async (path, detail) => {
    const { health } = await prober(path).probe(target);
    expect(health.status).toBe('captive');
    expect(health.detail).toMatch(detail);
  });

  it('names the portal’s sign-in page: the redirect’s target, else the probe URL that showed the page', async () => {
    expect((await prober('/redirect').probe(target)).health.portalUrl).toBe('https://portal.example/login');
    expect((await prober('/relative-redirect').probe(target)).health.portalUrl).toBe(
      `${base}/login?continue=1`,
    );
    expect((await prober('/page').probe(target)).health.portalUrl).toBe(`${base}/page`);
  });

  it('names no page a browser should not be sent to: another scheme, or credentials in it', async () => {
    for (const path of ['/script-redirect', '/credential-redirect']) {
      const { health } = await prober(path).probe(target);
      expect(health.status).toBe('captive');
      expect(health.portalUrl).toBeUndefined();
    }
  });

  it('takes a shorter deadline for one probe (a suspect path’s confirmation), one try', async () => {
    const { health } = await prober('/silent', { timeoutMs: 5000 }).probe(target, {
      retry: false,
      timeoutMs: 200,
    });
    expect(health.status).toBe('offline');
    expect(health.detail).toBe(`No answer from ${new URL(base).host} within 0.2 s (1 try).`);
  });

  it('accepts a 200 with an empty body like a 204', async () => {
    expect((await prober('/empty-200').probe(target)).health.status).toBe('good');
  });

  it('says a wrong probe URL is the settings’ fault, not the network’s', async () => {
    const { health } = await prober('/missing').probe(target);
    expect(health.status).toBe('degraded');
    expect(health.detail).toMatch(/HTTP 404; check the probe URL/);
  });

  it('calls a path that never answers offline after one retry', async () => {
    const started = Date.now();
    const { health, bytesSent } = await prober('/silent', { timeoutMs: 300 }).probe(target);
    expect(health.status).toBe('offline');
    expect(health.detail).toMatch(/No answer .* \(2 tries\)/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    // The request did reach the server both times.
    expect(bytesSent).toBeGreaterThan(100);
  });

  it('calls a slow handshake degraded', async () => {
    const { health } = await prober('/generate_204', { degradedRttMs: -1 }).probe(target);
    expect(health.status).toBe('degraded');
    expect(health.detail).toMatch(/Slow/);
  });
});
