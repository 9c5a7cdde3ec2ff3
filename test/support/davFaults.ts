/**
 * A small HTTP proxy in front of a WebDAV server (rclone serve webdav) that answers chosen
 * requests with an error status instead of forwarding them: 401, 403, 423, 507, 5xx on a method
 * and path. In-process (`startFaultProxy`) or as a process of its own in a lab namespace:
 *   node test/support/davFaults.ts LISTEN_HOST LISTEN_PORT TARGET_HOST TARGET_PORT RULES_FILE
 * which reads its rules (JSON, an array of FaultRule) from RULES_FILE on every request.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

export interface FaultRule {
  /** HTTP method, or "*". */
  method: string;
  /** A regular expression the decoded request path must match. */
  path: string;
  status: number;
}

export interface FaultProxy {
  port: number;
  hits: number;
  close(): Promise<void>;
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  return (
    (rule.method === '*' || rule.method === method) && new RegExp(rule.path).test(decodeURIComponent(path))
  );
}

/**
 * Adds `oc:checksums` (SHA1, as Nextcloud keeps it) to every file of a PROPFIND answer, hashing
 * the file the server serves from `root`: a stand-in for a server that keeps checksums.
 */
export function withChecksums(xml: string, root: string): string {
  return xml.replace(/<D:response>([\s\S]*?)<\/D:response>/g, (whole, inner: string) => {
    const href = /<D:href>([^<]*)<\/D:href>/.exec(inner)?.[1];
    if (!href) return whole;
    const file = join(root, decodeURIComponent(href));
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) return whole;
    const sha1 = createHash('sha1').update(readFileSync(file)).digest('hex');
    const prop = `<D:propstat><D:prop><oc:checksums xmlns:oc="http://owncloud.org/ns"><oc:checksum>SHA1:${sha1} ADLER32:00000001</oc:checksum></oc:checksums></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>`;
    return `<D:response>${inner}${prop}</D:response>`;
  });
}

export async function startFaultProxy(options: {
  host: string;
  port?: number;
  target: { host: string; port: number };
  rules: () => FaultRule[];
  /** When it returns a folder: PROPFIND answers get checksums of the files served from it. */
  checksumRoot?: () => string | null;
}): Promise<FaultProxy> {
  const state = { hits: 0 };
  const server = http.createServer((req, res) => {
    // The monitor's health probe (PATHWISE_PROBE_URL) in a lab: the network works.
    if (req.url === '/generate_204') {
      res.writeHead(204).end();
      return;
    }
    const rule = options.rules().find((r) => matches(r, req.method ?? 'GET', req.url ?? '/'));
    if (rule) {
      state.hits++;
      req.resume();
      res.writeHead(rule.status, { 'content-type': 'text/plain', connection: 'close' });
      res.end(`injected ${rule.status}\n`);
      return;
    }
    const upstream = http.request(
      {
        host: options.target.host,
        port: options.target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        const root = req.method === 'PROPFIND' ? options.checksumRoot?.() : null;
        if (root && answer.statusCode === 207) {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => {
            const body = withChecksums(Buffer.concat(chunks).toString('utf8'), root);
            const { 'content-length': _length, 'transfer-encoding': _chunked, ...headers } = answer.headers;
            res.writeHead(207, { ...headers, 'content-length': Buffer.byteLength(body) }).end(body);
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1]?.endsWith('davFaults.ts')) {
  const [host, port, targetHost, targetPort, rulesFile] = process.argv.slice(2) as string[];
  const rules = (): FaultRule[] => {
    try {
      return JSON.parse(readFileSync(rulesFile as string, 'utf8')) as FaultRule[];
    } catch {
      return [];
    }
  };
  void startFaultProxy({
    host: host as string,
    port: Number(port),
    target: { host: targetHost as string, port: Number(targetPort) },
    rules,
  }).then(() => process.stdout.write('ready\n'));
}
