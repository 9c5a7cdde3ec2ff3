/**
 * A userspace link emulator for in-process engine tests: a TCP proxy in front of a server that
 * shapes each client source address as its own "path" (127.0.0.2 = one path, 127.0.0.3 = another):
 * rate, delay, loss (as retransmission pauses), a silent stall (blackhole) and a hard cut.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface LinkProfile {
  /** Download rate in bytes per second (server → client); unlimited when absent. */
  rateBps: number | null;
  /** One-way delay added to every piece of the download, in ms. */
  delayMs: number;
  /** Probability per 16 KiB piece of a "lost packet", which holds the stream for `lossPauseMs`. */
  loss: number;
  lossPauseMs: number;
  /** Nothing passes in either direction, connections stay open (a blackhole). */
  stalled: boolean;
  /** Every connection is reset and new ones are refused (the link went down). */
  cut: boolean;
}

const DEFAULT_PROFILE: LinkProfile = {
  rateBps: null,
  delayMs: 0,
  loss: 0,
  lossPauseMs: 200,
  stalled: false,
  cut: false,
};

const PIECE = 16 * 1024;

interface Piece {
  data: Buffer;
  at: number;
}

class Link {
  profile: LinkProfile = { ...DEFAULT_PROFILE };
  readonly connections = new Set<Connection>();
  /** Bytes delivered to clients on this link. */
  delivered = 0;
  /** Connections opened from this source so far. */
  accepted = 0;
  private tokens = 0;
  private refilledAt = performance.now();
  private timer: NodeJS.Timeout | null = null;
  private turn = 0;

  /**
   * Serves the connections' queues round-robin from one token bucket, like one bottleneck link
   * shared fairly by its flows.
   */
  pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.profile.stalled) return;
    const now = performance.now();
    const { rateBps } = this.profile;
    if (rateBps) {
      const burst = Math.max(PIECE, rateBps * 0.02);
      this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAt) * rateBps) / 1000);
    }
    this.refilledAt = now;
    let wake = Number.POSITIVE_INFINITY;
    for (;;) {
      const ready = [...this.connections].filter((c) => c.readyAt() <= now);
      for (const c of this.connections) wake = Math.min(wake, c.readyAt());
      if (ready.length === 0) break;
      const c = ready[this.turn++ % ready.length] as Connection;
      const size = c.headSize();
      if (rateBps && this.tokens < size) {
        wake = Math.min(wake, now + ((size - this.tokens) * 1000) / rateBps);
        break;
      }
      if (rateBps) this.tokens -= size;
      this.delivered += size;
      c.deliver();
      wake = Number.POSITIVE_INFINITY;
    }
    if (Number.isFinite(wake)) {
      this.timer = setTimeout(() => this.pump(), Math.max(1, Math.ceil(wake - now)));
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

class Connection {
  readonly client: Socket;
  readonly upstream: Socket;
  private readonly link: Link;
  private readonly queue: Piece[] = [];
  private queued = 0;
  private lastAt = 0;
  private readonly heldUp: Buffer[] = [];
  private closed = false;
  private upstreamEnded = false;

  constructor(client: Socket, upstream: Socket, link: Link) {
    this.client = client;
    this.upstream = upstream;
    this.link = link;
    upstream.on('data', (data: Buffer) => this.fromServer(data));
    client.on('data', (data: Buffer) => this.fromClient(data));
    upstream.on('close', () => {
      this.upstreamEnded = true;
      if (this.queue.length === 0) this.close();
    });
    client.on('close', () => this.close());
    upstream.on('error', () => this.close());
    client.on('error', () => this.close());
  }

  private fromClient(data: Buffer): void {
    if (this.link.profile.stalled) this.heldUp.push(data);
    else this.upstream.write(data);
  }

  private fromServer(data: Buffer): void {
    const now = performance.now();
    const { delayMs, loss, lossPauseMs } = this.link.profile;
    for (let offset = 0; offset < data.length; offset += PIECE) {
      const piece = data.subarray(offset, offset + PIECE);
      let at = Math.max(this.lastAt, now + delayMs);
      if (loss > 0 && Math.random() < loss) at += lossPauseMs;
      this.lastAt = at;
      this.queue.push({ data: piece, at });
      this.queued += piece.length;
    }
    if (this.queued > 64 * 1024) this.upstream.pause();
    this.link.pump();
  }

  /** When the head of the queue may leave (Infinity when empty). */
  readyAt(): number {
    return this.queue[0]?.at ?? Number.POSITIVE_INFINITY;
  }

  headSize(): number {
    return this.queue[0]?.data.length ?? 0;
  }

  deliver(): void {
    const head = this.queue.shift();
    if (!head) return;
    this.queued -= head.data.length;
    this.client.write(head.data);
    if (this.queued < 32 * 1024) this.upstream.resume();
    if (this.queue.length === 0 && this.upstreamEnded) this.client.end();
  }

  releaseHeld(): void {
    for (const data of this.heldUp.splice(0)) this.upstream.write(data);
  }

  reset(): void {
    this.close();
    this.client.resetAndDestroy();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.link.connections.delete(this);
    this.upstream.destroy();
    this.client.destroy();
  }
}

export class LinkEmulator {
  readonly port: number;
  readonly host: string;
  private readonly server: Server;
  private readonly links = new Map<string, Link>();

  private constructor(server: Server, host: string, port: number) {
    this.server = server;
    this.host = host;
    this.port = port;
  }

  /** Starts a proxy on `listenHost` that forwards to `target`. */
  static async start(
    target: { host: string; port: number },
    listenHost = '127.0.0.1',
  ): Promise<LinkEmulator> {
    let emulator: LinkEmulator | null = null;
    const server = createServer((client) => {
      const source = (client.remoteAddress ?? '').replace(/^::ffff:/, '');
      const link = (emulator as LinkEmulator).linkFor(source);
      link.accepted++;
      if (link.profile.cut) {
        client.resetAndDestroy();
        return;
      }
      client.pause();
      const upstream = connect({ host: target.host, port: target.port }, () => client.resume());
      const connection = new Connection(client, upstream, link);
      link.connections.add(connection);
    });
    await new Promise<void>((resolve) => server.listen(0, listenHost, resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    emulator = new LinkEmulator(server, listenHost, port);
    return emulator;
  }

  private linkFor(source: string): Link {
    let link = this.links.get(source);
    if (!link) {
      link = new Link();
      this.links.set(source, link);
    }
    return link;
  }

  /** The URL of `path` on the target, as seen through the emulator. */
  url(path: string): string {
    return `http://${this.host}:${this.port}${path}`;
  }

  /** Change the link of one client source address; takes effect at once. */
  set(source: string, profile: Partial<LinkProfile>): void {
    const link = this.linkFor(source);
    link.profile = { ...link.profile, ...profile };
    if (link.profile.cut) for (const c of [...link.connections]) c.reset();
    if (!link.profile.stalled) for (const c of link.connections) c.releaseHeld();
    link.pump();
  }

  /** Payload bytes delivered to clients from `source` so far. */
  delivered(source: string): number {
    return this.links.get(source)?.delivered ?? 0;
  }

  /** Connections opened from `source` so far. */
  accepted(source: string): number {
    return this.links.get(source)?.accepted ?? 0;
  }

  connections(source: string): number {
    return this.links.get(source)?.connections.size ?? 0;
  }

  async close(): Promise<void> {
    for (const link of this.links.values()) {
      link.stop();
      for (const c of [...link.connections]) c.close();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
