// Issue 20 case 15: the app's bytes are what its sockets moved (requests, headers, TLS, uploads),
// not only the bodies of downloads.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { PathBytesEvent } from '../../main/base/budget.ts';
import type { TransferInfo } from '../../common/contract.ts';
import { createPathwise } from '../../main/core/createPathwise.ts';
import { bookSocketBytes, createPathAgent, type PathAgent } from '../../main/engine/pathAgent.ts';
import { Ledger } from '../../main/ledger/Ledger.ts';
import type { BindAddonStatus } from '../../main/network/bindAddon.ts';
import { loadBindAddon } from '../../main/network/bindAddon.ts';
import { createBoundConnect } from '../../main/network/boundConnect.ts';
import { request } from '../../main/network/undiciCore.ts';
import { tempDir, until } from '../support/engineLab.ts';
import { deterministicContent } from '../support/rangeServer.ts';
import { selfSignedCert } from '../support/selfSigned.ts';

const SIZE = 3_000_000;
const content = deterministicContent(SIZE, 15);
const PADDING = 'x'.repeat(12_000);

/** Every socket a server accepted, with what it read and wrote (the client's bytes the other way round). */
interface Counted {
  origin: string;
  sockets: Socket[];
  read(): number;
  written(): number;
  close(): Promise<void>;
}

function counted(server: Server | TlsServer, scheme: string, sockets: Socket[]): Promise<Counted> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `${scheme}://127.0.0.1:${port}`,
        sockets,
        read: () => sockets.reduce((n, s) => n + s.bytesRead, 0),
        written: () => sockets.reduce((n, s) => n + s.bytesWritten, 0),
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A file server whose every answer carries 12 kB of headers (cookies, CSPs and tracing do that). */
async function bigHeaderServer(): Promise<Counted & { answers: () => number }> {
  const sockets: Socket[] = [];
  let answers = 0;
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    answers++;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Math.min(Number(range[2]), SIZE - 1) : SIZE - 1;
    res.setHeader('x-padding', PADDING);
    res.setHeader('etag', '"v1"');
    res.setHeader('accept-ranges', 'bytes');
    res.setHeader('content-length', end - start + 1);
    if (range) res.setHeader('content-range', `bytes ${start}-${end}/${SIZE}`);
    res.writeHead(range ? 206 : 200);
    res.end(content.subarray(start, end + 1));
  });
  server.on('connection', (socket: Socket) => sockets.push(socket));
  return { ...(await counted(server, 'http', sockets)), answers: () => answers };
}

const servers: Counted[] = [];
const agents: PathAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('the app books its sockets’ bytes', () => {
  it('books every byte of a download, big headers and requests included, and shows the payload as progress', async () => {
    const server = await bigHeaderServer();
    servers.push(server);
    const dataDir = tempDir();
    const app = await createPathwise({
      shell: 'headless',
      dataDir,
      env: { XDG_DOWNLOAD_DIR: tempDir(), PATHWISE_PROBE_URL: 'http://127.0.0.1:9/' },
    });
    await app.service.start();
    const started = (await app.service.invoke('transfers.start', [
      { url: `${server.origin}/file.bin`, paths: ['lo'] },
    ])) as TransferInfo;
    const done = (): TransferInfo | undefined =>
      app.transfers.list().find((t) => t.id === started.id && t.state === 'done');
    await until(() => done() !== undefined, 30_000, 'download done');
    const info = done() as TransferInfo;
    // Quitting closes the pools, whose last bytes are booked before the ledger closes.
    await app.service.stop();
    const responses = server.answers();

    const { ledger } = Ledger.open({ dataDir });
    const now = Date.now();
    const rows = ledger.history({
      resolution: 'minute',
      from: now - 3_600_000,
      to: now + 60_000,
      paths: ['lo'],
    });
    ledger.close();
    const booked = rows.reduce((n, r) => n + r.appBytes, 0);
    expect(info.received).toBe(SIZE); // progress: the payload
    expect(responses).toBeGreaterThan(0);
    expect(booked).toBeGreaterThanOrEqual(SIZE + responses * PADDING.length);
    // Exactly what crossed the sockets, both ways.
    expect(booked).toBe(server.read() + server.written());
  });
});

describe('every socket of a path’s pool is counted', () => {
  it('books requests and uploads going up, and the answers coming down', async () => {
    const sockets: Socket[] = [];
    const server = await counted(
      createHttpServer((req, res) => {
        req.resume();
        req.on('end', () => res.end('stored'));
      }).on('connection', (s: Socket) => sockets.push(s)),
      'http',
      sockets,
    );
    servers.push(server);
    const events: PathBytesEvent[] = [];
    const stop = bookSocketBytes((e) => events.push(e));
    try {
      const agent = createPathAgent({ name: 'lo', address: '127.0.0.1' });
      agents.push(agent);
      const body = Buffer.alloc(1_500_000, 7);
      const answer = await request(agent, { origin: server.origin, path: '/up.bin', method: 'PUT', body });
      expect(await answer.body.text()).toBe('stored');
      await agent.destroy();
    } finally {
      stop();
    }
    const sum = (direction: string): number =>
      events.filter((e) => e.path === 'lo' && e.direction === direction).reduce((n, e) => n + e.bytes, 0);
    expect(sum('up')).toBeGreaterThan(1_500_000);
    expect(sum('up')).toBe(server.read());
    expect(sum('down')).toBe(server.written());
  });

  it('books a TLS handshake, even one that fails its certificate check', async () => {
    const tls = selfSignedCert('localhost', 'IP:127.0.0.1');
    const raw: Socket[] = [];
    const server = createTlsServer({ key: tls.key, cert: tls.cert }, (s) => s.end('hi'));
    server.on('connection', (s: Socket) => raw.push(s));
    const listening = await counted(server, 'https', raw);
    servers.push(listening);
    const events: PathBytesEvent[] = [];
    const stop = bookSocketBytes((e) => events.push(e));
    try {
      const agent = createPathAgent({ name: 'lo', address: '127.0.0.1' });
      agents.push(agent);
      await expect(request(agent, { origin: listening.origin, path: '/', method: 'GET' })).rejects.toThrow();
      await agent.destroy();
      await until(() => raw.every((s) => s.destroyed), 5000, 'server side closed');
    } finally {
      stop();
    }
    const down = events.filter((e) => e.direction === 'down').reduce((n, e) => n + e.bytes, 0);
    // The server's hello and certificate: what its raw socket wrote.
    expect(down).toBeGreaterThan(300);
    expect(down).toBe(listening.written());
  });
});

const unavailable: BindAddonStatus = {
  available: false,
  addon: null,
  source: null,
  file: null,
  reason: 'test: by address',
};

describe('raw sockets under TLS, by address and by device', () => {
  const modes: Array<[string, BindAddonStatus]> = [['address', unavailable]];
  const addon = loadBindAddon();
  if (addon.available && process.platform === 'linux') modes.push(['device', addon]);

  it.each(modes)('hands the TCP socket under TLS to the meter (%s)', async (_mode, status) => {
    const tls = selfSignedCert('localhost', 'IP:127.0.0.1,DNS:localhost');
    const raw: Socket[] = [];
    const server = createTlsServer({ key: tls.key, cert: tls.cert }, (s) =>
      s.end(content.subarray(0, 200_000)),
    );
    server.on('connection', (s: Socket) => raw.push(s));
    const listening = await counted(server, 'https', raw);
    servers.push(listening);
    const seen: Socket[] = [];
    const connect = createBoundConnect({
      device: 'lo',
      localAddress: '127.0.0.1',
      addon: status,
      connector: { ca: tls.cert },
      onSocket: (s) => seen.push(s),
    });
    const { host, port } = new URL(listening.origin);
    const socket = await new Promise<Socket>((resolve, reject) =>
      connect(
        {
          hostname: '127.0.0.1',
          host,
          protocol: 'https:',
          port,
          servername: 'localhost',
          localAddress: null,
        },
        (error, s) => (error || !s ? reject(error) : resolve(s as Socket)),
      ),
    );
    let plain = 0;
    socket.on('data', (d: Buffer) => (plain += d.length));
    await new Promise((resolve) => socket.once('end', resolve));
    socket.destroy();
    await until(() => seen.every((s) => s.destroyed), 5000, 'client side closed');
    expect(plain).toBe(200_000);
    expect(seen).toHaveLength(1);
    // The raw socket read the records, handshake and all: more than the plaintext, as the server wrote.
    expect(seen[0]?.bytesRead).toBe(listening.written());
    expect(seen[0]?.bytesRead).toBeGreaterThan(plain);
  });
});
