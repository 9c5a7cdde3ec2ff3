/**
 * Requests to `pathwise serve` that a browser would not make but an attacker or an odd client
 * might: any method, any headers, or raw bytes on a socket (no Host header at all, an upgrade
 * read back byte for byte). test/host's checks use them beside hostClient.ts.
 */
import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HeadlessHost, HeadlessHostOptions } from '../../main/host/HeadlessHost.ts';
import type { Reply } from './hostClient.ts';
import { serveWith } from './hostClient.ts';
import { ScriptedService } from './scriptedService.ts';

/** One request with `method` (Host: 127.0.0.1:<port> unless `headers` say otherwise). */
export function ask(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('latin1')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Writes `text` on a fresh connection and resolves with everything the server sent until it closed. */
export function exchange(port: number, text: string, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** The lines of a WebSocket upgrade request for /ws (or `path`), with `headers` added as given. */
export function upgradeRequest(headers: Record<string, string>, path = '/ws'): string {
  const lines = [
    `GET ${path} HTTP/1.1`,
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** What the host answers when it refuses an upgrade: a whole, empty HTTP reply, then the socket ends. */
export function refusal(status: number, text: string): string {
  return `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
}

export interface ScriptedHost {
  service: ScriptedService;
  host: HeadlessHost;
  port: number;
  root: string;
  /** The headers a signed-in dashboard tab sends: its own origin and the cookie. */
  signedIn: Record<string, string>;
}

/** A host in front of a ScriptedService, serving a one-line index.html from a fresh folder. */
export async function scriptedHost(
  prefix: string,
  options: Omit<HeadlessHostOptions, 'service' | 'rootDir'> = {},
): Promise<ScriptedHost> {
  const service = new ScriptedService();
  const root = await mkdtemp(join(tmpdir(), prefix));
  const { host, port } = await serveWith(service.asService(), root, options);
  const signedIn = { origin: `http://127.0.0.1:${port}`, cookie: `${host.cookieName}=${host.token}` };
  return { service, host, port, root, signedIn };
}
