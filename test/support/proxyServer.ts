/**
 * A small HTTP proxy for tests, as squid plays it: CONNECT tunnels (for https) and forwarded
 * requests in absolute form (for http), an optional login (407 without it), and a log of who
 * came through it, from which address, to where. Names the test gives (`hosts`) resolve only here,
 * so a download that reaches such a name proves it went through the proxy.
 *
 * In-process (`startProxyServer`), or in a lab namespace:
 *   node test/support/proxyServer.ts --host 198.19.0.2 --port 3128 [--map files.lab=198.19.0.1]
 * prints "ready <port>" when listening.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ProxyVisit {
  kind: 'connect' | 'forward';
  /** The client's address (the path's source). */
  from: string;
  /** CONNECT's host:port, or the forwarded request's absolute URL. */
  target: string;
  /** The Proxy-Authorization the client sent, if any. */
  authorization: string | null;
  /** The answer: 200 for an open tunnel, the status forwarded, 407, or 502. */
  status: number;
}

export interface TestProxy {
  url: string;
  port: number;
  visits: ProxyVisit[];
  /** Bytes the proxy moved between clients and servers, both ways. */
  bytes: () => number;
  close(): Promise<void>;
}

export interface TestProxyOptions {
  host?: string;
  port?: number;
  /** The login the proxy asks for (407 without it). */
  login?: { user: string; password: string };
  /** Names only this proxy resolves: name → address. */
  hosts?: Record<string, string>;
  /** Speak TLS to clients (an https:// proxy) with this key and certificate. */
  tls?: { key: string; cert: string };
  /** Told of each visit as it is logged. */
  onVisit?: (visit: ProxyVisit) => void;
}

function expected(login: TestProxyOptions['login']): string | null {
  return login ? `Basic ${Buffer.from(`${login.user}:${login.password}`).toString('base64')}` : null;
}

function splitTarget(target: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
  return { host: match?.[1] ?? target, port: Number(match?.[2] ?? 443) };
}

/** What one proxy knows while it runs. */
interface ProxyState {
  visits: ProxyVisit[];
  sockets: Set<Socket>;
  moved: number;
  /** The Proxy-Authorization it asks for; null when it asks none. */
  login: string | null;
  resolve(host: string): string;
  visit(req: IncomingMessage, kind: ProxyVisit['kind'], status: number): void;
}

/** A plain-http request in absolute form, passed on to its server. */
function forward(state: ProxyState, req: IncomingMessage, res: ServerResponse): void {
  if (state.login && req.headers['proxy-authorization'] !== state.login) {
    state.visit(req, 'forward', 407);
    res.writeHead(407, { 'proxy-authenticate': 'Basic realm="lab"' }).end();
    return;
  }
  const target = new URL(req.url ?? '/');
  const headers = { ...req.headers };
  delete headers['proxy-authorization'];
  const upstream = request(
    {
      host: state.resolve(target.hostname),
      port: target.port || 80,
      path: target.pathname + target.search,
      method: req.method,
      headers,
    },
    (answer) => {
      state.visit(req, 'forward', answer.statusCode ?? 0);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.on('data', (chunk: Buffer) => (state.moved += chunk.length));
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    state.visit(req, 'forward', 502);
    res.writeHead(502).end();
  });
  req.pipe(upstream);
}

/** CONNECT: a tunnel to host:port once the login (if asked) is right. */
function tunnel(state: ProxyState, req: IncomingMessage, client: Socket, head: Buffer): void {
  if (state.login && req.headers['proxy-authorization'] !== state.login) {
    state.visit(req, 'connect', 407);
    client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="lab"\r\n\r\n');
    return;
  }
  const { host, port } = splitTarget(req.url ?? '');
  const upstream = connect({ host: state.resolve(host), port }, () => {
    state.visit(req, 'connect', 200);
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.on('data', (chunk: Buffer) => (state.moved += chunk.length));
    client.on('data', (chunk: Buffer) => (state.moved += chunk.length));
    upstream.pipe(client);
    client.pipe(upstream);
  });
  state.sockets.add(upstream);
  upstream.on('close', () => state.sockets.delete(upstream));
  upstream.on('error', () => {
    if (!client.destroyed && upstream.connecting) {
      state.visit(req, 'connect', 502);
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    }
    client.destroy();
  });
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
}

export async function startProxyServer(options: TestProxyOptions = {}): Promise<TestProxy> {
  const state: ProxyState = {
    visits: [],
    sockets: new Set<Socket>(),
    moved: 0,
    login: expected(options.login),
    resolve: (host) => options.hosts?.[host.toLowerCase()] ?? host,
    visit: (req, kind, status) => {
      const entry: ProxyVisit = {
        kind,
        from: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
        target: req.url ?? '',
        authorization: req.headers['proxy-authorization'] ?? null,
        status,
      };
      state.visits.push(entry);
      options.onVisit?.(entry);
    },
  };
  const { visits, sockets } = state;
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => forward(state, req, res);
  const server: Server = options.tls ? createTlsServer(options.tls, onRequest) : createServer(onRequest);
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) =>
    tunnel(state, req, client, head),
  );
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => done());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    visits,
    bytes: () => state.moved,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

if (process.argv[1]?.endsWith('proxyServer.ts')) {
  const args = process.argv.slice(2);
  const value = (name: string): string | undefined => args[args.indexOf(name) + 1];
  const hosts: Record<string, string> = {};
  args.forEach((arg, i) => {
    if (arg !== '--map') return;
    const [name, address] = (args[i + 1] ?? '').split('=');
    if (name && address) hosts[name] = address;
  });
  const proxy = await startProxyServer({
    host: value('--host') ?? '127.0.0.1',
    port: Number(value('--port') ?? 0),
    hosts,
    // Each tunnel and forwarded request, one JSON line, for the test that started it.
    onVisit: (visit) => console.log(JSON.stringify(visit)),
  });
  console.log(`ready ${proxy.port}`);
}
