/**
 * Where `pathwise serve` listens and which names it answers to (issue 26): loopback by default,
 * IPv6 loopback with its bracketed name, the port asked for, a clear refusal for an address other
 * machines reach unless allowed, and a failed listen reported rather than left hanging.
 */
import { connect, createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { PathwiseService } from '../../main/core/PathwiseService.ts';
import { HeadlessHost, isLoopback } from '../../main/host/HeadlessHost.ts';
import { get } from '../support/hostClient.ts';
import { exchange } from '../support/hostRequests.ts';
import { ScriptedService } from '../support/scriptedService.ts';

const hosts: HeadlessHost[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const host of hosts.splice(0)) await host.close();
  for (const server of servers.splice(0)) await new Promise((done) => server.close(done));
});

const service = (): PathwiseService => new ScriptedService().asService();

async function listening(options: Partial<ConstructorParameters<typeof HeadlessHost>[0]> = {}) {
  const host = new HeadlessHost({ service: service(), rootDir: '/nonexistent-renderer', ...options });
  const url = await host.listen();
  hosts.push(host);
  return { host, url, port: Number(new URL(url).port) };
}

/** A port that something else holds for as long as the test runs. */
async function takenPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as { port: number }).port;
}

/** The status line a GET of `/` with `headers` gets, on a raw connection to `address`. */
async function statusLine(port: number, address: string, headers: Record<string, string>): Promise<string> {
  const lines = [
    'GET /missing HTTP/1.1',
    'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  const answer = await exchange(port, `${lines.join('\r\n')}\r\n\r\n`, address);
  return answer.split('\r\n')[0] ?? '';
}

describe('where the host listens', () => {
  it('listens on 127.0.0.1 by default and prints a URL with its token', async () => {
    const { host, url, port } = await listening();
    expect(url).toBe(`http://127.0.0.1:${port}/?token=${host.token}`);
    expect(host.cookieName).toBe(`pathwise_token_${port}`);
  });

  it('listens on IPv6 loopback under its bracketed name, and answers to the other loopback names', async () => {
    const { host, url, port } = await listening({ host: '::1' });
    expect(url).toBe(`http://[::1]:${port}/?token=${host.token}`);
    const cookie = `${host.cookieName}=${host.token}`;
    for (const name of ['[::1]', '127.0.0.1', 'localhost']) {
      expect(await statusLine(port, '::1', { Host: `${name}:${port}`, Cookie: cookie }), name).toBe(
        'HTTP/1.1 404 Not Found',
      );
    }
    expect(await statusLine(port, '::1', { Host: `[::2]:${port}`, Cookie: cookie })).toBe(
      'HTTP/1.1 403 Forbidden',
    );
  });

  it('on loopback, answers to no other address of this machine', async () => {
    const { host, port } = await listening();
    const cookie = `${host.cookieName}=${host.token}`;
    const others = Object.values(networkInterfaces())
      .flat()
      .flatMap((a) => (a && !a.internal ? [a.family === 'IPv6' ? `[${a.address}]` : a.address] : []));
    for (const name of [...others, '0.0.0.0', '[::]']) {
      const reply = await get(port, '/', { cookie, host: `${name}:${port}` });
      expect({ name, status: reply.status }).toEqual({ name, status: 403 });
    }
  });

  it('listens on the port it is given', async () => {
    const free = await takenPort();
    await new Promise((done) => servers.pop()!.close(done));
    const { url } = await listening({ port: free });
    expect(new URL(url).port).toBe(String(free));
  });

  it('reports a port in use instead of waiting', async () => {
    const port = await takenPort();
    const host = new HeadlessHost({ service: service(), rootDir: '/nonexistent-renderer', port });
    await expect(host.listen()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('closing', () => {
  it('ends a connection stuck half-way through its request instead of waiting for it', async () => {
    const host = new HeadlessHost({ service: service(), rootDir: '/nonexistent-renderer' });
    const port = Number(new URL(await host.listen()).port);
    const socket = connect({ host: '127.0.0.1', port });
    const ended = new Promise<void>((done) => socket.on('close', () => done()));
    socket.on('error', () => undefined);
    // A client that sent half a request and went quiet (the server is reading its headers).
    await new Promise<void>((done) => socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n', () => done()));
    await host.close();
    await ended;
    expect(socket.destroyed).toBe(true);
  });
});

describe('an address other machines can reach', () => {
  it('is refused unless allowRemote says the user means it', () => {
    for (const address of ['0.0.0.0', '192.168.1.20', '::']) {
      expect(() => new HeadlessHost({ service: service(), rootDir: '/tmp', host: address })).toThrow(
        expect.objectContaining({
          code: 'E_USAGE',
          message: `Serving the dashboard on ${address} lets other machines reach it; that needs allowRemote (--allow-remote).`,
        }),
      );
      expect(
        () => new HeadlessHost({ service: service(), rootDir: '/tmp', host: address, allowRemote: true }),
      ).not.toThrow();
    }
  });

  it('answers to the address it was told to listen on, IPv6 in brackets', async () => {
    for (const [address, name] of [
      ['0.0.0.0', '0.0.0.0'],
      ['::', '[::]'],
    ]) {
      const { host, url, port } = await listening({ host: address, allowRemote: true });
      expect(url).toBe(`http://${name}:${port}/?token=${host.token}`);
      const reply = await get(port, '/', {
        cookie: `${host.cookieName}=${host.token}`,
        host: `${name}:${port}`,
      });
      expect({ address, status: reply.status }).toEqual({ address, status: 404 });
    }
  });

  // Found by mutation testing (issue 26): on a wildcard address the host allowed only the Host
  // header `0.0.0.0:<port>`, which no browser sends, so `serve --host 0.0.0.0 --allow-remote`
  // served nobody. A browser names loopback or one of this machine's addresses.
  it('answers a browser on this machine when serving on 0.0.0.0 with allowRemote', async () => {
    const { host, port } = await listening({ host: '0.0.0.0', allowRemote: true });
    const reply = await get(port, '/', { cookie: `${host.cookieName}=${host.token}` });
    expect(reply.status).toBe(404);
  });

  it('on every address (0.0.0.0, ::), answers to each of this machine’s addresses and loopback, and no other name', async () => {
    const names = Object.values(networkInterfaces())
      .flat()
      .flatMap((a) => (a ? [a.family === 'IPv6' ? `[${a.address}]` : a.address] : []));
    for (const address of ['0.0.0.0', '::']) {
      const { host, port } = await listening({ host: address, allowRemote: true });
      const cookie = `${host.cookieName}=${host.token}`;
      for (const name of [...names, '127.0.0.1', 'localhost', '[::1]']) {
        const reply = await get(port, '/', { cookie, host: `${name}:${port}` });
        expect({ address, name, status: reply.status }).toEqual({ address, name, status: 404 });
      }
      for (const name of ['evil.example', '192.0.2.254', '[fd00::dead]', '::1']) {
        const reply = await get(port, '/', { cookie, host: `${name}:${port}` });
        expect({ address, name, status: reply.status }).toEqual({ address, name, status: 403 });
      }
    }
  });
});

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.1.22.254', 'localhost', 'LocalHost', '::1', '[::1]', '127.000.0.1'])(
    '%s is',
    (host) => {
      expect(isLoopback(host)).toBe(true);
    },
  );

  it.each([
    '0.0.0.0',
    '::',
    '[::]',
    '128.0.0.1',
    '10.127.0.1',
    '127.0.0',
    '127.0.0.1.evil.example',
    'x127.0.0.1',
    '127.0.0.a',
    '127.evil.example',
    'localhost.evil.example',
    'evil-localhost',
    '::1:80',
    '[::1',
    '::1]',
    // Brackets only around a whole address: these are no address at all.
    '127.0[.0.1]',
    '[127.0].0.1',
    '',
  ])('%j is not', (host) => {
    expect(isLoopback(host)).toBe(false);
  });
});
