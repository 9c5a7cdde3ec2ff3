import { createServer, type Server } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import type { buildConnector } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createPathAgent, type PathAgent } from '../../main/engine/pathAgent.ts';
import { SocketStash } from '../../main/engine/SocketStash.ts';
import { request } from '../../main/network/undiciCore.ts';
import { until } from '../support/engineLab.ts';

interface Seen {
  server: Server;
  origin: string;
  /** Every connection the server accepted, as remote port, in order. */
  connections: number[];
  /** The remote port of each request's connection. */
  requests: number[];
}

async function echoServer(onConnection?: (socket: Socket, index: number) => void): Promise<Seen> {
  const seen: Omit<Seen, 'origin'> = {
    server: createServer((req, res) => {
      seen.requests.push(req.socket.remotePort as number);
      res.end('ok');
    }),
    connections: [],
    requests: [],
  };
  seen.server.on('connection', (socket: Socket) => {
    seen.connections.push(socket.remotePort as number);
    onConnection?.(socket, seen.connections.length - 1);
  });
  await new Promise<void>((resolve) => seen.server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = seen.server.address() as AddressInfo;
  return { ...seen, origin: `http://127.0.0.1:${port}` };
}

async function get(agent: PathAgent, origin: string): Promise<string> {
  const response = await request(agent, { origin, path: '/', method: 'GET' });
  return response.body.text();
}

let agent: PathAgent | undefined;
let seen: Seen | undefined;
afterEach(async () => {
  await agent?.destroy();
  agent = undefined;
  seen?.server.closeAllConnections();
  await new Promise((resolve) => seen?.server.close(resolve) ?? resolve(undefined));
  seen = undefined;
});

describe('connections opened ahead of their requests', () => {
  it('hands the opened connections to the requests instead of connecting again', async () => {
    seen = await echoServer();
    agent = createPathAgent({ name: 'b', address: '127.0.0.3' });
    agent.preconnect(new URL(`${seen.origin}/file.bin`), 2);
    await until(() => seen?.connections.length === 2, 5000, 'two connections');
    expect(await Promise.all([get(agent, seen.origin), get(agent, seen.origin)])).toEqual(['ok', 'ok']);
    expect(seen.connections).toHaveLength(2);
    expect([...seen.requests].sort()).toEqual([...seen.connections].sort());
  });

  it('does not open more than asked when connections are already waiting', async () => {
    seen = await echoServer();
    agent = createPathAgent({ name: 'b', address: '127.0.0.3' });
    const origin = new URL(seen.origin);
    agent.preconnect(origin, 2);
    agent.preconnect(origin, 2);
    await until(() => seen?.connections.length === 2, 5000, 'two connections');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.connections).toHaveLength(2);
  });

  it('drops a connection the server closed meanwhile and connects afresh', async () => {
    seen = await echoServer((socket, index) => {
      if (index === 0) socket.destroy();
    });
    agent = createPathAgent({ name: 'b', address: '127.0.0.3' });
    agent.preconnect(new URL(seen.origin), 1);
    await until(() => seen?.connections.length === 1, 5000, 'the first connection');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await get(agent, seen.origin)).toBe('ok');
    expect(seen.connections).toHaveLength(2);
    expect(seen.requests).toEqual([seen.connections[1]]);
  });

  it('fails silently ahead, and the request reports its own error', async () => {
    seen = await echoServer();
    const origin = seen.origin;
    seen.server.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    agent = createPathAgent({ name: 'b', address: '127.0.0.3' });
    agent.preconnect(new URL(origin), 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(get(agent, origin)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

type Options = buildConnector.Options;
type Callback = buildConnector.Callback;

/** An inner connector that answers after `delayMs` with an unconnected Socket (enough here). */
function fakeConnector(delayMs = 0): {
  connect: buildConnector.connector;
  calls: Options[];
  sockets: Socket[];
} {
  const calls: Options[] = [];
  const sockets: Socket[] = [];
  const connect = (options: Options, callback: Callback): void => {
    calls.push(options);
    const socket = new Socket();
    sockets.push(socket);
    setTimeout(() => callback(null, socket), delayMs);
  };
  return { connect, calls, sockets };
}

/** Asks the stash for a connection as undici would, for https://example.org unless told otherwise. */
function take(stash: SocketStash, options: Partial<Options> = {}): Promise<Socket | null> {
  return new Promise((resolve, reject) =>
    stash.connect(
      { hostname: 'example.org', protocol: 'https:', port: '', servername: 'example.org', ...options },
      (error, socket) => (error ? reject(error) : resolve(socket as Socket)),
    ),
  );
}

describe('SocketStash', () => {
  it('hands over a connection that is still opening instead of opening another', async () => {
    const inner = fakeConnector(50);
    const stash = new SocketStash(inner.connect);
    stash.open(new URL('https://example.org/file.bin'), 1, '198.18.1.2');
    const socket = await take(stash);
    expect(socket).toBe(inner.sockets[0]);
    expect(inner.calls).toHaveLength(1);
    expect(inner.calls[0]).toMatchObject({
      hostname: 'example.org',
      protocol: 'https:',
      servername: 'example.org',
      localAddress: '198.18.1.2',
    });
    stash.clear();
  });

  it('keeps a TLS connection for the name it was opened for, and other origins apart', async () => {
    const inner = fakeConnector();
    const stash = new SocketStash(inner.connect);
    stash.open(new URL('https://example.org/a'), 1, null);
    await until(() => inner.sockets.length === 1, 1000);
    await take(stash, { servername: 'other.example' });
    await take(stash, { port: '8443' });
    await take(stash, { protocol: 'http:' });
    expect(inner.calls).toHaveLength(4);
    expect(stash.size).toBe(1);
    expect(await take(stash, { port: '443' })).toBe(inner.sockets[0]);
    expect(stash.size).toBe(0);
  });

  it('closes a connection nobody took', async () => {
    const inner = fakeConnector();
    const stash = new SocketStash(inner.connect, { idleMs: 50 });
    stash.open(new URL('http://198.18.0.1/'), 1, null);
    await until(() => inner.sockets.length === 1, 1000);
    await until(() => inner.sockets[0]?.destroyed === true, 1000, 'the idle socket closed');
    expect(stash.size).toBe(0);
  });

  it('closes waiting connections when cleared and opens no more', async () => {
    const inner = fakeConnector();
    const stash = new SocketStash(inner.connect);
    stash.open(new URL('http://198.18.0.1/'), 2, null);
    await until(() => inner.sockets.length === 2, 1000);
    await new Promise((resolve) => setTimeout(resolve, 10));
    stash.clear();
    expect(inner.sockets.every((s) => s.destroyed)).toBe(true);
    stash.open(new URL('http://198.18.0.1/'), 2, null);
    expect(inner.calls).toHaveLength(2);
  });
});
