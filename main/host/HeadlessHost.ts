import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { WireRequestSchema, type WireMessage } from '../../common/contract.ts';
import { PathwiseError, wireError } from '../../common/errors.ts';
import type { PathwiseService } from '../core/PathwiseService.ts';

export interface HeadlessHostOptions {
  service: PathwiseService;
  /** The built renderer (out/renderer). */
  rootDir: string;
  host?: string;
  port?: number;
  token?: string;
  /** Concurrent WebSockets allowed (a dashboard uses one per open tab). */
  maxSockets?: number;
  /** Malformed or refused messages a socket may send before it is closed. */
  maxBadMessages?: number;
  /** Listen on an address other machines can reach (`--allow-remote`); loopback only otherwise. */
  allowRemote?: boolean;
}

/**
 * The cookie's name carries the port: browsers keep cookies per host, not per port, so every
 * service on 127.0.0.1 receives them all, and two hosts sharing one name would overwrite each
 * other's token (and each would see the other's).
 */
export function cookieName(port: number): string {
  return `pathwise_token_${port}`;
}
const MAX_MESSAGE_BYTES = 64 * 1024;
/** Requests a socket may have in flight; more are answered E_BUSY, not queued without bound. */
const MAX_IN_FLIGHT = 64;
/** A client this far behind on pushes is skipped (pushes are state; the next one catches up)… */
const SKIP_PUSHES_ABOVE_BYTES = 4 << 20;
/** …and one this far behind is dropped. */
const DROP_SOCKET_ABOVE_BYTES = 32 << 20;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

// The same policy the Electron window gets from the page's meta tag, enforced here by header too.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** A bind address only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Where to send a browser after the token was traded for the cookie: the path on this server,
 * never `//host…` (or `/\host…`), which a browser reads as another server (an open redirect).
 */
function sameServerPath(pathname: string): string {
  return `/${pathname.replace(/^[/\\]+/, '')}`;
}

/** The id a message was sent under, so a refusal reaches the call waiting for it; -1 when it has none. */
function idOf(raw: unknown): number {
  return raw && typeof raw === 'object' && 'id' in raw && typeof raw.id === 'number' ? raw.id : -1;
}

function parseJson(text: string | null): unknown {
  try {
    return text === null ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

/**
 * `pathwise serve`: the renderer and the contract served to a browser over HTTP + WebSocket.
 * Like Jupyter, a random token in the printed URL is traded for an HttpOnly SameSite=Strict
 * cookie; every request and socket upgrade needs one or the other (401), and a Host or Origin
 * that isn't this server is refused (403) so DNS rebinding and cross-site pages get nothing.
 */
export class HeadlessHost {
  readonly token: string;
  private readonly service: PathwiseService;
  private readonly rootDir: string;
  private readonly bindHost: string;
  private readonly requestedPort: number;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly maxSockets: number;
  private readonly maxBadMessages: number;
  private allowedHosts = new Set<string>();
  private port = 0;

  constructor(options: HeadlessHostOptions) {
    this.service = options.service;
    this.rootDir = resolve(options.rootDir);
    this.bindHost = options.host ?? '127.0.0.1';
    if (!isLoopback(this.bindHost) && !options.allowRemote) {
      throw new PathwiseError(
        'E_USAGE',
        `Serving the dashboard on ${this.bindHost} lets other machines reach it; that needs allowRemote (--allow-remote).`,
      );
    }
    this.requestedPort = options.port ?? 0;
    this.token = options.token ?? randomBytes(24).toString('hex');
    this.maxSockets = options.maxSockets ?? 16;
    this.maxBadMessages = options.maxBadMessages ?? 20;
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolveListen, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.requestedPort, this.bindHost, () => resolveListen());
    });
    this.port = (this.server.address() as AddressInfo).port;
    const hostPart = this.bindHost.includes(':') ? `[${this.bindHost}]` : this.bindHost;
    this.allowedHosts = new Set([`${hostPart}:${this.port}`]);
    const wildcard = this.bindHost === '0.0.0.0' || this.bindHost === '::';
    if (isLoopback(this.bindHost) || wildcard) {
      for (const h of ['127.0.0.1', 'localhost', '[::1]']) this.allowedHosts.add(`${h}:${this.port}`);
    }
    // Bound to every address (--allow-remote): a browser names one of this machine's addresses.
    if (wildcard) {
      for (const address of Object.values(networkInterfaces()).flat()) {
        if (!address) continue;
        const name = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        this.allowedHosts.add(`${name.toLowerCase()}:${this.port}`);
      }
    }
    return this.url();
  }

  /** This server's cookie (see cookieName); known once it listens. */
  get cookieName(): string {
    return cookieName(this.port);
  }

  url(): string {
    const hostPart = this.bindHost.includes(':') ? `[${this.bindHost}]` : this.bindHost;
    return `http://${hostPart}:${this.port}/?token=${this.token}`;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private tokenMatches(candidate: string | null | undefined): boolean {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Host must be us; Origin, when sent (always for WebSocket), must be us too. */
  private checkOrigin(req: IncomingMessage, requireOrigin: boolean): boolean {
    const host = req.headers.host;
    if (!host || !this.allowedHosts.has(host.toLowerCase())) return false;
    const origin = req.headers.origin;
    if (origin === undefined) return !requireOrigin;
    try {
      const parsed = new URL(origin);
      return parsed.protocol === 'http:' && this.allowedHosts.has(parsed.host.toLowerCase());
    } catch {
      return false;
    }
  }

  private authenticated(req: IncomingMessage, url: URL): boolean {
    return (
      this.tokenMatches(url.searchParams.get('token')) ||
      this.tokenMatches(parseCookies(req.headers.cookie).get(this.cookieName))
    );
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    };
    if (!this.checkOrigin(req, false)) return send(403, 'Forbidden: unexpected Host or Origin.\n');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!this.authenticated(req, url)) {
      return send(401, 'Unauthorized: open the URL that `pathwise serve` printed (it carries the token).\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'Method not allowed.\n');
    if (url.searchParams.has('token')) {
      // Trade the token for a cookie and drop it from the address bar and history.
      res.writeHead(303, {
        location: sameServerPath(url.pathname),
        'set-cookie': `${this.cookieName}=${this.token}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
      });
      res.end();
      return;
    }
    await this.serveFile(url.pathname, req, res, send);
  }

  private async serveFile(
    pathname: string,
    req: IncomingMessage,
    res: ServerResponse,
    send: (status: number, body: string) => void,
  ): Promise<void> {
    let relative: string;
    try {
      relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
    } catch {
      return send(400, 'Bad path.\n');
    }
    if (relative === '' || relative.endsWith(sep)) relative = join(relative, 'index.html');
    const file = resolve(this.rootDir, relative);
    if (file !== this.rootDir && !file.startsWith(this.rootDir + sep)) return send(404, 'Not found.\n');
    let size: number;
    try {
      const info = await stat(file);
      if (!info.isFile()) return send(404, 'Not found.\n');
      size = info.size;
    } catch {
      return send(404, 'Not found.\n');
    }
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': size,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const reject = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!this.checkOrigin(req, true)) return reject(403, 'Forbidden');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!this.authenticated(req, url)) return reject(401, 'Unauthorized');
    if (url.pathname !== '/ws') return reject(404, 'Not Found');
    if (this.wss.clients.size >= this.maxSockets) return reject(503, 'Service Unavailable');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
  }

  private onSocket(ws: WebSocket): void {
    const send = (message: WireMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const unsubscribe = this.service.subscribe((channel, payload) => {
      if (ws.bufferedAmount > DROP_SOCKET_ABOVE_BYTES) {
        ws.terminate();
        return;
      }
      if (ws.bufferedAmount > SKIP_PUSHES_ABOVE_BYTES) return;
      send({ kind: 'event', channel, payload });
    });
    let bad = 0;
    let inFlight = 0;
    const misbehaved = (): void => {
      // A client that keeps sending garbage is broken or hostile: stop reading from it.
      if (++bad >= this.maxBadMessages) ws.close(1008, 'Too many bad messages');
    };
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
    ws.on('message', (data, isBinary) => {
      if (inFlight >= MAX_IN_FLIGHT) {
        send({
          kind: 'result',
          id: idOf(parseJson(isBinary ? null : data.toString())),
          ok: false,
          error: { code: 'E_BUSY', message: 'Too many requests at once; wait for answers first.' },
        });
        misbehaved();
        return;
      }
      inFlight++;
      void this.onMessage(isBinary ? null : data.toString(), send)
        .then((ok) => {
          if (!ok) misbehaved();
        })
        .finally(() => inFlight--);
    });
  }

  /** Answers one message; false when it was malformed or refused as invalid. */
  private async onMessage(text: string | null, send: (message: WireMessage) => void): Promise<boolean> {
    const raw = parseJson(text);
    const request = WireRequestSchema.safeParse(raw);
    if (!request.success) {
      send({
        kind: 'result',
        id: idOf(raw),
        ok: false,
        error: {
          code: 'E_BAD_MESSAGE',
          message: 'Malformed message: expected {kind:"invoke",id,channel,args}.',
        },
      });
      return false;
    }
    const { id, channel, args } = request.data;
    try {
      const value = await this.service.invoke(channel, args);
      send({ kind: 'result', id, ok: true, value });
      return true;
    } catch (error) {
      const safe = wireError(error);
      send({ kind: 'result', id, ok: false, error: safe });
      // Asking for something that doesn't exist or with bad arguments counts against the client;
      // a domain error (a transfer that failed, a full disk) does not.
      return safe.code !== 'E_BAD_CHANNEL' && safe.code !== 'E_BAD_REQUEST';
    }
  }
}
