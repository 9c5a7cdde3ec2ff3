import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createPathwise } from '../../main/core/createPathwise.ts';
import type { PathwiseService } from '../../main/core/PathwiseService.ts';
import { HeadlessHost, type HeadlessHostOptions } from '../../main/host/HeadlessHost.ts';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A plain GET to the host on loopback, with the Host header a browser would send unless told otherwise. */
export function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The host's WebSocket once open, or the HTTP status it was refused with. */
export function openSocket(
  port: number,
  headers: Record<string, string>,
): Promise<WebSocket | { rejected: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers });
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_req, res) => resolve({ rejected: res.statusCode ?? 0 }));
    ws.on('error', () => undefined);
  });
}

/** The status a WebSocket upgrade gets: 101 when it opened (the socket is closed again), else the refusal's. */
export async function upgradeStatus(port: number, headers: Record<string, string>): Promise<number> {
  const ws = await openSocket(port, headers);
  if (!(ws instanceof WebSocket)) return ws.rejected;
  ws.close();
  return 101;
}

/** The socket's close code (-1 if it was closed already). */
export function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) resolve(-1);
    ws.on('close', (code) => resolve(code));
  });
}

export interface HostLab {
  host: HeadlessHost;
  service: PathwiseService;
  port: number;
  stop(): Promise<void>;
}

/** A listening host in front of `service`, serving a one-line index.html from a fresh folder. */
export async function serveWith(
  service: PathwiseService,
  root: string,
  options: Omit<HeadlessHostOptions, 'service' | 'rootDir'> = {},
): Promise<{ host: HeadlessHost; port: number }> {
  await writeFile(join(root, 'index.html'), '<!doctype html><title>Pathwise</title>');
  const host = new HeadlessHost({ service, rootDir: root, ...options });
  const port = Number(new URL(await host.listen()).port);
  return { host, port };
}

/**
 * A started core (loopback only, no probing of the real internet, a throwaway data folder) behind a
 * listening host that serves a one-line index.html.
 */
export async function startHost(
  prefix: string,
  options: Omit<HeadlessHostOptions, 'service' | 'rootDir'> = {},
): Promise<HostLab> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const { service } = await createPathwise({
    shell: 'headless',
    dataDir: join(root, 'data'),
    env: {},
    monitor: { pollIntervalMs: 60_000 },
  });
  await service.start();
  const { host, port } = await serveWith(service, root, options);
  return {
    host,
    service,
    port,
    stop: async () => {
      await host.close();
      await service.stop();
    },
  };
}

/** A message the host sent over the socket, parsed. */
export type WireReply =
  | { kind: 'result'; id: number; ok: boolean; value?: unknown; error?: { code: string; message: string } }
  | { kind: 'event'; channel: string; payload: unknown };

/** Every message a socket receives, kept in order, and ways to wait for one without polling. */
export class Inbox {
  readonly received: WireReply[] = [];
  private readonly waiters: Array<() => void> = [];

  constructor(ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.received.push(JSON.parse(data.toString()) as WireReply);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** The first message that matches among those arriving after this call. */
  async next(matches: (reply: WireReply) => boolean = () => true): Promise<WireReply> {
    let seen = this.received.length;
    for (;;) {
      await new Promise<void>((wake) => this.waiters.push(wake));
      while (seen < this.received.length) {
        const reply = this.received[seen++] as WireReply;
        if (matches(reply)) return reply;
      }
    }
  }

  /** The answer to request `id`, whenever it arrived. */
  async result(id: number): Promise<WireReply> {
    for (;;) {
      const found = this.received.find((r) => r.kind === 'result' && r.id === id);
      if (found) return found;
      await new Promise<void>((wake) => this.waiters.push(wake));
    }
  }
}
