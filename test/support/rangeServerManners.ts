/**
 * The range server's manners toward a client that asks a lot (issue 25): answers that push back
 * (429, 503, with or without Retry-After), a limit on each client's connections, and signed links
 * that expire. Kept apart from rangeServer.ts, which wires them into its behaviour.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

/** Answer with `status` (no body) instead of the file: a server telling the client to come back later. */
export interface PushBack {
  status: number;
  /** Retry-After as sent: seconds (30) or an HTTP date; absent, none is sent. */
  retryAfter?: string | number;
  /** Push back this many requests (counted down as they come), then answer truthfully. */
  requests?: number;
  /** Push back until this moment (performance.now()); absent, as long as `requests` lasts (or for ever). */
  until?: number;
  /** Only requests from this source address (one path). */
  from?: string;
  /** Only the engine's probes, or only the ranges after them (the others get the truth). */
  only?: 'probes' | 'ranges';
}

/** At most `perClient` open connections per source address; the others are turned away. */
export interface ConnectionLimit {
  perClient: number;
  /**
   * `reset`: the connection is reset once its first request arrives; `reset-at-accept`: at once, as
   * a server at its limit that accepts and drops does; `503`: every request on it is answered 503.
   */
  over: 'reset' | 'reset-at-accept' | '503';
  /** With `503`: the Retry-After sent. */
  retryAfter?: string | number;
}

/**
 * The file is reached only by signed links: a request for `from` is answered 302 to
 * `<file path>?sig=<n>` (relative, n counting up from 1), and a signed link stops working after
 * `uses` requests, or when the test calls expireLinks(); the file's path unsigned never works.
 */
export interface SignedLinks {
  from: string;
  uses?: number;
  /** What a link that stopped working answers (403 by default; 410, 404…). */
  status?: number;
  /**
   * A link that stopped working answers 200 with this page instead (a CDN's "link expired" page,
   * text/html), whatever the request asked for.
   */
  page?: string;
}

/** What the server remembers for its manners: signed links issued, connections over the limit. */
export interface Manners {
  links: LinkState;
  overLimit: (socket: Socket) => boolean;
}

/** A bodiless answer: status and headers. */
export interface Refusal {
  status: number;
  headers: Record<string, string | number>;
  /** A body to send with it (an expired link's 200 "error page"); none: no body. */
  body?: Buffer;
}

/** A connection the server turned away: from where, when, and how. */
export interface TurnedAway {
  remoteAddress: string;
  at: number;
  how: ConnectionLimit['over'];
}

/** The signed links issued so far and how often each was used. */
export class LinkState {
  issued = 0;
  /** Links numbered below this have expired. */
  validFrom = 1;
  readonly used = new Map<number, number>();

  /** Every link issued so far stops working. */
  expireAll(): void {
    this.validFrom = this.issued + 1;
  }
}

/** The push-back `pushBack` tells this request, counting it; null for the truth. */
export function pushBackFor(
  pushBack: PushBack | null,
  req: IncomingMessage,
  isProbe: boolean,
): Refusal | null {
  if (!pushBack) return null;
  if (pushBack.from !== undefined && req.socket.remoteAddress !== pushBack.from) return null;
  if (pushBack.only === 'ranges' && (isProbe || !req.headers.range)) return null;
  if (pushBack.only === 'probes' && !isProbe) return null;
  if (pushBack.until !== undefined && performance.now() >= pushBack.until) return null;
  if (pushBack.requests !== undefined) {
    if (pushBack.requests <= 0) return null;
    pushBack.requests--;
  }
  const headers: Record<string, string | number> = {};
  if (pushBack.retryAfter !== undefined) headers['retry-after'] = pushBack.retryAfter;
  return { status: pushBack.status, headers };
}

/**
 * Signed links: the answer to this request if it is the link to sign (a 302) or a signed link
 * that stopped working; null to serve the file (the link's use counted).
 */
export function signedAnswer(
  links: SignedLinks | null,
  state: LinkState,
  req: IncomingMessage,
  filePath: string,
): Refusal | null {
  if (!links) return null;
  const url = new URL(req.url ?? '/', 'http://server');
  if (url.pathname === links.from) {
    state.issued++;
    return { status: 302, headers: { location: `${filePath}?sig=${state.issued}` } };
  }
  if (url.pathname !== filePath) return null;
  const sig = Number(url.searchParams.get('sig') ?? NaN);
  const used = state.used.get(sig) ?? 0;
  const valid =
    Number.isInteger(sig) &&
    sig >= state.validFrom &&
    sig <= state.issued &&
    (links.uses === undefined || used < links.uses);
  if (!valid && links.page !== undefined) {
    const body = Buffer.from(links.page);
    return { status: 200, headers: { 'content-type': 'text/html', 'content-length': body.length }, body };
  }
  if (!valid) return { status: links.status ?? 403, headers: {} };
  state.used.set(sig, used + 1);
  return null;
}

/**
 * Holds each client to `limit()` open connections (per source address): one beyond it is reset
 * at once, or marked so that its requests are answered 503 (`overLimit`). Records each turned away.
 */
export function limitConnections(
  server: Server,
  limit: () => ConnectionLimit | null,
  turnedAway: TurnedAway[],
): { overLimit: (socket: Socket) => boolean } {
  const open = new Map<string, Set<Socket>>();
  const over = new WeakSet<Socket>();
  server.on('connection', (socket: Socket) => {
    const rule = limit();
    const from = socket.remoteAddress ?? '';
    const mine = open.get(from) ?? new Set<Socket>();
    open.set(from, mine);
    if (rule && mine.size >= rule.perClient) {
      turnedAway.push({ remoteAddress: from, at: performance.now(), how: rule.over });
      // Reset once its request arrived (undici would quietly connect again after a reset that
      // comes before it has written one: the request would only wait).
      if (rule.over === 'reset') socket.once('data', () => socket.resetAndDestroy());
      else if (rule.over === 'reset-at-accept') socket.resetAndDestroy();
      else over.add(socket);
      return;
    }
    mine.add(socket);
    socket.on('close', () => mine.delete(socket));
  });
  return { overLimit: (socket) => over.has(socket) };
}

/** The 503 a connection over the limit gets for each request (and the connection closes). */
export function overLimitAnswer(limit: ConnectionLimit | null): Refusal {
  const headers: Record<string, string | number> = { connection: 'close' };
  if (limit?.retryAfter !== undefined) headers['retry-after'] = limit.retryAfter;
  return { status: 503, headers };
}
