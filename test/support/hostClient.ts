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

/**
 * A started core (loopback only, no probing of the real internet, a throwaway data folder) behind a
 * listening host that serves a one-line index.html.
 */
export async function startHost(
  prefix: string,
  options: Omit<HeadlessHostOptions, 'service' | 'rootDir'> = {},
): Promise<HostLab> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>Pathwise</title>');
  const { service } = await createPathwise({
    shell: 'headless',
    dataDir: join(root, 'data'),
    env: {},
    monitor: { pollIntervalMs: 60_000 },
  });
  await service.start();
  const host = new HeadlessHost({ service, rootDir: root, ...options });
  const port = Number(new URL(await host.listen()).port);
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
