/**
 * A small HTTP server that serves one file with byte ranges (RFC 9110) and can misbehave on
 * demand: no range support, truncated bodies, wrong Content-Range, compressed answers, changed
 * validators, redirects, error statuses. Every request is logged with its source address, so a
 * test can see which path asked for what and with which headers. A lie (`lieTo`) answers the
 * probe truthfully and misbehaves later, in one range's answer or on one path, where only the
 * checks made after the probe can catch it.
 *
 * Also runs standalone (network-namespace tests and benchmarks):
 *   node test/support/rangeServer.ts --host 198.19.0.1 --port 8080 --size 4000000 --seed 7
 * prints "ready <port>" when listening.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parseArgs } from 'node:util';
import {
  LinkState,
  limitConnections,
  overLimitAnswer,
  pushBackFor,
  signedAnswer,
  type ConnectionLimit,
  type Manners,
  type PushBack,
  type SignedLinks,
  type TurnedAway,
} from './rangeServerManners.ts';

export type { ConnectionLimit, PushBack, SignedLinks, TurnedAway } from './rangeServerManners.ts';

/** Deterministic pseudo-random bytes: the same (size, seed) gives the same file in any process. */
export function deterministicContent(size: number, seed = 1): Buffer {
  const key = createHash('sha256').update(`pathwise-test-${seed}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface RequestLog {
  method: string;
  path: string;
  /** The request target as sent, query included (`/file.bin?sig=3`). */
  target: string;
  headers: IncomingMessage['headers'];
  remoteAddress: string;
  status: number;
  /** Body bytes the server wrote for this request (what it meant to send). */
  bytes: number;
  /** When the request arrived (performance.now()). */
  at: number;
  /** The lie its answer told (see lieTo), if any. */
  lied?: Lie['kind'];
}

/** The request carries the pinned validator's conditions (every range after the probe does). */
function conditional(r: Pick<RequestLog, 'headers'>): boolean {
  const h = r.headers;
  return Boolean(h['if-range'] || h['if-match'] || h['if-unmodified-since']);
}

/**
 * The engine's probe: a range from byte 0 (the first byte, or the first chunk it keeps) sent
 * before the validator is known, so without the conditions every later range carries.
 */
export function isProbe(r: Pick<RequestLog, 'headers'>): boolean {
  const h = r.headers;
  return typeof h.range === 'string' && h.range.startsWith('bytes=0-') && !conditional(r);
}

/**
 * A lead: a range the engine asks for on another path alongside its probe, so before the
 * validator is known and without conditions; a server with a validator sees it before any range
 * that carries one (the engine can only send those once the probe has answered).
 */
export function isLead(r: RequestLog, requests: readonly RequestLog[]): boolean {
  if (typeof r.headers.range !== 'string' || isProbe(r) || conditional(r)) return false;
  const index = requests.indexOf(r);
  return index >= 0 && !requests.slice(0, index).some(conditional);
}

/** What the server does; every field may be changed while it runs. */
export interface RangeServerBehaviour {
  /** Serve ranges (206); false answers every request with the whole file (200). */
  ranges: boolean;
  /** Strong ETag; null sends none. Default: derived from the content. */
  etag: string | null;
  /** Send the ETag as weak (W/"…"). */
  weakEtag: boolean;
  lastModified: string | null;
  /** Stop each body after this many bytes and drop the connection. */
  truncateAfter: number | null;
  /**
   * The next body longer than this stops after this many bytes and then sends nothing, its
   * connection left open (one TCP connection stuck in back-off); used once, then back to null.
   */
  stallNextAfter: number | null;
  /** Serve at most this many bytes of a range, saying so in Content-Range (servers that cap ranges). */
  maxRange: number | null;
  /** Shift the start in Content-Range (a server that lies about what it sends). */
  contentRangeShift: number;
  /** Send a Content-Length that disagrees with the range. */
  wrongContentLength: boolean;
  /** Claim this Content-Encoding on every answer. */
  encoding: string | null;
  /** Answer everything with this status (no body). */
  status: number | null;
  /** Answer 429 or 503 (with or without Retry-After) to some requests: see PushBack. */
  pushBack: PushBack | null;
  /** Turn away a client's connections beyond a number (reset, or 503): see ConnectionLimit. */
  maxConnections: ConnectionLimit | null;
  /** Serve the file only through signed links that expire: see SignedLinks (and expireLinks()). */
  signedLinks: SignedLinks | null;
  /** path → Location: answered with 302 before anything else. */
  redirects: Record<string, string>;
  contentDisposition: string | null;
  /** Ignore If-Match / If-Range (a server that serves whatever it has now). */
  ignoreConditions: boolean;
  /** Ignore If-Match and If-Unmodified-Since but honour If-Range (many caches do). */
  ignoreIfMatch: boolean;
  /** Omit Content-Length on 200 answers (chunked), as dynamic servers do. */
  chunked: boolean;
  /** Wait this long before answering (read after onRequest, so it may be set per request). */
  delayMs: number;
  /**
   * Called for every request before it is answered (tests change the server from here). A promise
   * it returns holds the answer back until it settles (a test releases held answers when ready).
   */
  onRequest: ((log: RequestLog, server: RangeServer) => void | Promise<unknown>) | null;
  /** Asked as each request arrives: a lie to tell in its answer, or null for the truth (see lieTo). */
  lie: ((log: RequestLog, server: RangeServer) => Lie | null) | null;
}

/**
 * What one answer gets wrong. Each applies to an answer that would have been a 206 (anything else
 * goes out as it is), except `status`, which replaces the answer whatever it would have been.
 */
export type Lie =
  /**
   * Another range than asked, honestly labelled: bytes [start + startBy, end + endBy], without
   * Content-Length when `chunked` (the body's end then says where it ends).
   */
  | { kind: 'other-range'; startBy: number; endBy: number; chunked?: boolean }
  /** Content-Range as asked, but a Content-Length `by` bytes off, and a body that length. */
  | { kind: 'content-length'; by: number }
  /** Headers as asked; the body stops after `after` bytes and the connection drops. */
  | { kind: 'short-body'; after: number }
  /** A bodiless answer instead: a redirect (Location), a 416 (Content-Range), an error… */
  | { kind: 'status'; status: number; headers?: Record<string, string | number> }
  /**
   * The range with headers changed (another ETag, Last-Modified, Content-Encoding) and, with
   * `body`, other bytes in it: `body(start, end)` gives bytes [start, end) of what is sent instead.
   */
  | {
      kind: 'headers';
      headers: Record<string, string | number>;
      body?: (start: number, end: number) => Buffer;
    };

/** Which requests a lie is told to; never the probe (nor a path's recovery probe): those get the truth. */
export interface LieTarget {
  /** The nth range request, from 1, as rangeRequests() counts them (after the probe and its leads). */
  nthRange?: number;
  /** Every range asked from this source address (a path whose middlebox mangles answers). */
  from?: string;
}

/** A `lie` behaviour: tells `lie` to the requests `target` names, the truth to all others. */
export function lieTo(target: LieTarget, lie: Lie): NonNullable<RangeServerBehaviour['lie']> {
  return (log, server) => {
    if (typeof log.headers.range !== 'string' || isProbe(log)) return null;
    if (target.from !== undefined && log.remoteAddress !== target.from) return null;
    if (target.nthRange !== undefined && server.rangeRequests()[target.nthRange - 1] !== log) return null;
    return lie;
  };
}

export interface RangeServer {
  readonly url: string;
  readonly port: number;
  readonly requests: RequestLog[];
  /** Every connection accepted: who from, and when (performance.now()). */
  readonly connections: Array<{ remoteAddress: string; at: number }>;
  /** Connections turned away by `maxConnections`. */
  readonly turnedAway: TurnedAway[];
  /** Every signed link issued so far stops working (see `signedLinks`). */
  expireLinks(): void;
  readonly behaviour: RangeServerBehaviour;
  content: Buffer;
  /** Replace the file, as if it were updated on the server (new ETag and Last-Modified). */
  setContent(content: Buffer): void;
  /**
   * Requests that asked for a byte range, excluding the engine's probe (see isProbe) and, when the
   * server has a validator, its leads (see isLead; without one a lead is a range like any other).
   */
  rangeRequests(): RequestLog[];
  close(): Promise<void>;
}

function etagOf(content: Buffer): string {
  return `"${createHash('sha1').update(content).digest('hex').slice(0, 16)}"`;
}

interface Source {
  size: number;
  slice(start: number, end: number): Buffer | NodeJS.ReadableStream;
}

function parseRange(value: string | undefined, size: number): { start: number; end: number } | 'bad' | null {
  if (!value) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!match) return 'bad';
  const [, s, e] = match;
  if (s === '' && e === '') return 'bad';
  if (s === '') {
    const n = Number(e);
    return n === 0 ? 'bad' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(s);
  const end = e === '' ? size - 1 : Math.min(Number(e), size - 1);
  if (start >= size || end < start) return 'bad';
  return { start, end };
}

type Body = Buffer | NodeJS.ReadableStream;
type Headers = Record<string, string | number>;

/** What the server means to answer: status, headers and body, before any misbehaviour on the wire. */
interface Answer {
  status: number;
  headers: Headers;
  body?: Body;
  /** A 206's range, end inclusive (where a lie starts from). */
  range?: { start: number; end: number };
  /** Send this many bytes of the body, then drop the connection (a held body only). */
  cutAfter?: number;
}

function bodiless(status: number, headers: Headers = {}): Answer {
  return { status, headers: { ...headers, 'content-length': 0 } };
}

/** The headers every answer with the file carries, as the behaviour has them at this moment. */
function fileHeaders(behaviour: RangeServerBehaviour): Headers {
  const headers: Headers = {};
  if (behaviour.etag) headers['etag'] = behaviour.weakEtag ? `W/${behaviour.etag}` : behaviour.etag;
  if (behaviour.lastModified) headers['last-modified'] = behaviour.lastModified;
  if (behaviour.encoding) headers['content-encoding'] = behaviour.encoding;
  if (behaviour.contentDisposition) headers['content-disposition'] = behaviour.contentDisposition;
  headers['accept-ranges'] = behaviour.ranges ? 'bytes' : 'none';
  return headers;
}

/** If-Match or If-Unmodified-Since names another version (412), unless the server ignores them. */
function preconditionFailed(req: IncomingMessage, behaviour: RangeServerBehaviour): boolean {
  if (behaviour.ignoreConditions || behaviour.ignoreIfMatch) return false;
  const ifMatch = req.headers['if-match'];
  if (ifMatch && ifMatch !== '*' && ifMatch !== behaviour.etag) return true;
  const ius = req.headers['if-unmodified-since'];
  return Boolean(ius && behaviour.lastModified && ius !== behaviour.lastModified);
}

/** If-Range names another version: the whole file is sent instead of the range (RFC 9110 §13.1.5). */
function ifRangeStale(req: IncomingMessage, behaviour: RangeServerBehaviour): boolean {
  const ifRange = req.headers['if-range'];
  if (behaviour.ignoreConditions || !ifRange) return false;
  return ifRange !== behaviour.etag && ifRange !== behaviour.lastModified;
}

/** The file itself: whole (200), one range of it (206), or why not (412, 416). */
function answerWithFile(req: IncomingMessage, behaviour: RangeServerBehaviour, src: Source): Answer {
  const size = src.size;
  const headers = fileHeaders(behaviour);
  if (preconditionFailed(req, behaviour)) return bodiless(412);
  const range = behaviour.ranges ? parseRange(req.headers.range, size) : null;
  if (range === null || ifRangeStale(req, behaviour)) {
    if (!behaviour.chunked) headers['content-length'] = size;
    return { status: 200, headers, body: src.slice(0, size) };
  }
  if (range === 'bad') return bodiless(416, { 'content-range': `bytes */${size}` });
  if (behaviour.maxRange !== null) range.end = Math.min(range.end, range.start + behaviour.maxRange - 1);
  const length = range.end - range.start + 1;
  const shift = behaviour.contentRangeShift;
  headers['content-range'] = `bytes ${range.start + shift}-${range.end + shift}/${size}`;
  headers['content-length'] = behaviour.wrongContentLength ? length + 1 : length;
  return { status: 206, headers, body: src.slice(range.start, range.end + 1), range };
}

/** The 206 `answer` for bytes [start, end] with `lie` told in it. */
function tell(lie: Lie, answer: Answer, { start, end }: { start: number; end: number }, src: Source): Answer {
  const headers = { ...answer.headers };
  switch (lie.kind) {
    case 'other-range': {
      const [s, e] = [start + lie.startBy, Math.min(end + lie.endBy, src.size - 1)];
      headers['content-range'] = `bytes ${s}-${e}/${src.size}`;
      if (lie.chunked) delete headers['content-length'];
      else headers['content-length'] = e - s + 1;
      return { status: 206, headers, body: src.slice(s, e + 1) };
    }
    case 'content-length': {
      const length = end - start + 1 + lie.by;
      headers['content-length'] = length;
      return { status: 206, headers, body: src.slice(start, start + length) };
    }
    case 'short-body':
      return { ...answer, cutAfter: lie.after };
    case 'headers':
      Object.assign(headers, lie.headers);
      return { status: 206, headers, body: lie.body ? lie.body(start, end + 1) : answer.body };
    case 'status':
      return bodiless(lie.status, lie.headers);
  }
}

/** Manners, redirects and forced statuses come before the file; any other path is not found. */
function answerFor(
  req: IncomingMessage,
  log: RequestLog,
  behaviour: RangeServerBehaviour,
  where: { filePath: string; source: () => Source; manners: Manners },
  lie: Lie | null,
): Answer {
  const { filePath, source, manners } = where;
  const refusal = manners.overLimit(req.socket)
    ? overLimitAnswer(behaviour.maxConnections)
    : (pushBackFor(behaviour.pushBack, req, isProbe(log)) ??
      signedAnswer(behaviour.signedLinks, manners.links, req, filePath));
  if (refusal) return refusal.body ? refusal : bodiless(refusal.status, refusal.headers);
  const location = behaviour.redirects[log.path];
  if (location) return bodiless(302, { location });
  if (behaviour.status !== null) return bodiless(behaviour.status);
  if (lie?.kind === 'status') {
    log.lied = lie.kind;
    return bodiless(lie.status, lie.headers);
  }
  if (log.path !== filePath) return bodiless(404);
  const src = source();
  const answer = answerWithFile(req, behaviour, src);
  if (!lie || answer.status !== 206 || !answer.range) return answer;
  log.lied = lie.kind;
  return tell(lie, answer, answer.range, src);
}

/** Sends an answer and logs its status and the body bytes written. */
function writeAnswer(
  res: ServerResponse,
  log: RequestLog,
  behaviour: RangeServerBehaviour,
  answer: Answer,
): void {
  log.status = answer.status;
  res.writeHead(answer.status, answer.headers);
  const body = answer.body;
  if (!body) res.end();
  else if (Buffer.isBuffer(body)) writeHeldBody(res, log, behaviour, body, answer.cutAfter);
  else streamBody(res, log, body);
}

/**
 * A body held in memory, where the wire misbehaviours apply: a stall (part sent, then silence on
 * an open connection) or a truncation (part sent, then the connection dropped).
 */
function writeHeldBody(
  res: ServerResponse,
  log: RequestLog,
  behaviour: RangeServerBehaviour,
  body: Buffer,
  cutAfter: number | undefined,
): void {
  const stallAt = behaviour.stallNextAfter;
  if (stallAt !== null && body.length > stallAt) {
    behaviour.stallNextAfter = null;
    log.bytes = stallAt;
    res.write(body.subarray(0, stallAt));
    return;
  }
  const limit = cutAfter ?? behaviour.truncateAfter;
  if (limit !== null && body.length > limit) {
    log.bytes = limit;
    // The pause lets the bytes reach the client before the drop, as a real cut would.
    res.write(body.subarray(0, limit), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  log.bytes = body.length;
  res.end(body);
}

/** A body read from a file (too big to hold): streamed as the client takes it, counted as it goes. */
function streamBody(res: ServerResponse, log: RequestLog, body: NodeJS.ReadableStream): void {
  let sent = 0;
  body.on('data', (chunk: Buffer) => {
    sent += chunk.length;
    log.bytes = sent;
    if (!res.write(chunk)) {
      body.pause();
      res.once('drain', () => body.resume());
    }
  });
  body.on('end', () => res.end());
  res.on('close', () => (body as unknown as { destroy?: () => void }).destroy?.());
}

/** A well-behaved server for a file with this ETag, with the test's changes on top. */
function initialBehaviour(etag: string, changes: Partial<RangeServerBehaviour> = {}): RangeServerBehaviour {
  return {
    ranges: true,
    etag,
    weakEtag: false,
    lastModified: new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toUTCString(),
    truncateAfter: null,
    stallNextAfter: null,
    maxRange: null,
    contentRangeShift: 0,
    wrongContentLength: false,
    encoding: null,
    status: null,
    pushBack: null,
    maxConnections: null,
    signedLinks: null,
    redirects: {},
    contentDisposition: null,
    ignoreConditions: false,
    ignoreIfMatch: false,
    chunked: false,
    delayMs: 0,
    onRequest: null,
    lie: null,
    ...changes,
  };
}

/** A file on disk is named by its size and modification time, as web servers do. */
function fileEtag(file: string): string {
  const { size, mtimeMs } = statSync(file);
  return `"${size.toString(16)}-${mtimeMs.toString(16)}"`;
}

function logOf(req: IncomingMessage): RequestLog {
  return {
    method: req.method ?? 'GET',
    path: (req.url ?? '/').split('?')[0] ?? '/',
    target: req.url ?? '/',
    headers: req.headers,
    remoteAddress: req.socket.remoteAddress ?? '',
    status: 0,
    bytes: 0,
    at: performance.now(),
  };
}

/** A file on disk, looked at again for each request (a test may replace it) and streamed. */
function fileOnDisk(file: string): Source {
  return {
    size: statSync(file).size,
    slice: (start, end) => createReadStream(file, { start, end: end - 1, highWaterMark: 256 << 10 }),
  };
}

/**
 * Listens, logging every connection accepted; the open ones are kept so that close() can drop
 * kept-alive connections at once instead of waiting for them to go idle.
 */
async function listenTracked(
  server: Server,
  port: number,
  host: string,
): Promise<{ connections: RangeServer['connections']; sockets: Set<Socket> }> {
  const connections: RangeServer['connections'] = [];
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    connections.push({ remoteAddress: socket.remoteAddress ?? '', at: performance.now() });
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { connections, sockets };
}

/** Answers each request as the behaviour has it then, after the test's onRequest (and its hold). */
function requestHandler(
  behaviour: RangeServerBehaviour,
  requests: RequestLog[],
  where: Parameters<typeof answerFor>[3],
  api: () => RangeServer,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const log = logOf(req);
    requests.push(log);
    const held = behaviour.onRequest?.(log, api());
    const lie = behaviour.lie?.(log, api()) ?? null;
    const answer = (): void => writeAnswer(res, log, behaviour, answerFor(req, log, behaviour, where, lie));
    const send = (): void => {
      if (behaviour.delayMs) setTimeout(answer, behaviour.delayMs);
      else answer();
    };
    if (held instanceof Promise) void held.then(send, send);
    else send();
  };
}

export async function startRangeServer(
  initial: Buffer | { file: string },
  options: {
    host?: string;
    port?: number;
    path?: string;
    behaviour?: Partial<RangeServerBehaviour>;
    /** Serve HTTPS with this key and certificate (PEM). */
    tls?: { key: string; cert: string };
  } = {},
): Promise<RangeServer> {
  const host = options.host ?? '127.0.0.1';
  const filePath = options.path ?? '/file.bin';
  let content = Buffer.isBuffer(initial) ? initial : Buffer.alloc(0);
  const fileSource = Buffer.isBuffer(initial) ? null : initial.file;
  const source = (): Source =>
    fileSource
      ? fileOnDisk(fileSource)
      : { size: content.length, slice: (start, end) => content.subarray(start, end) };
  const behaviour = initialBehaviour(fileSource ? fileEtag(fileSource) : etagOf(content), options.behaviour);
  const requests: RequestLog[] = [];

  const manners: Manners = { links: new LinkState(), overLimit: () => false };
  const turnedAway: TurnedAway[] = [];
  // eslint-disable-next-line prefer-const -- assigned once the server listens
  let api: RangeServer;
  const where = { filePath, source, manners };
  const onRequest = requestHandler(behaviour, requests, where, () => api);
  const server: Server = options.tls ? createTlsServer(options.tls, onRequest) : createServer(onRequest);
  server.keepAliveTimeout = 30_000;
  manners.overLimit = limitConnections(server, () => behaviour.maxConnections, turnedAway).overLimit;
  const { connections, sockets } = await listenTracked(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  api = {
    url: `${options.tls ? 'https' : 'http'}://${hostPart}:${port}${filePath}`,
    port,
    requests,
    connections,
    turnedAway,
    expireLinks: () => manners.links.expireAll(),
    behaviour,
    get content() {
      return content;
    },
    set content(value: Buffer) {
      content = value;
    },
    setContent(next: Buffer) {
      content = next;
      behaviour.etag = etagOf(next);
      behaviour.lastModified = new Date(Math.floor(Date.now() / 1000) * 1000).toUTCString();
    },
    rangeRequests: () => {
      const validated = Boolean(behaviour.etag || behaviour.lastModified);
      return requests.filter((r) => r.headers.range && !isProbe(r) && !(validated && isLead(r, requests)));
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}

const isEntry = process.argv[1]?.endsWith('rangeServer.ts');
if (isEntry) {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      size: { type: 'string' },
      seed: { type: 'string', default: '1' },
      file: { type: 'string' },
      path: { type: 'string', default: '/file.bin' },
    },
  });
  const initial = values.file
    ? { file: values.file }
    : deterministicContent(Number(values.size ?? 1_000_000), Number(values.seed));
  const server = await startRangeServer(initial, {
    host: values.host,
    port: Number(values.port),
    path: values.path,
  });
  process.stdout.write(`ready ${server.port}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
