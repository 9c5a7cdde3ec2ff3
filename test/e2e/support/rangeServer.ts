/**
 * A small HTTP server with byte-range support for the namespace e2e tests, run as its own
 * process inside the lab's server namespace:
 *   node rangeServer.ts --host 198.19.0.1 --port 8080 --size 314572800
 * GET/HEAD /file.bin serves `size` deterministic bytes (no disk), honouring Range with 206,
 * Content-Range, a strong ETag and If-Range/If-Match; /generate_204 answers health probes.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '0.0.0.0' },
    port: { type: 'string', default: '8080' },
    size: { type: 'string' },
  },
});
const size = Number(values.size ?? 100 * 1024 * 1024);
const etag = `"pw-${size}"`;
const CHUNK = 64 * 1024;

/** Byte i of the file: a pattern a test can check without a copy of the file. */
export function byteAt(i: number): number {
  return (i * 31 + (i >>> 11)) & 255;
}

function fill(start: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  for (let k = 0; k < length; k++) buf[k] = byteAt(start + k);
  return buf;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/generate_204') {
    res.writeHead(204).end();
    return;
  }
  if (url.pathname !== '/file.bin') {
    res.writeHead(404).end();
    return;
  }
  let start = 0;
  let end = size - 1;
  let status = 200;
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  const ifRange = req.headers['if-range'];
  const ifMatch = req.headers['if-match'];
  if (ifMatch && ifMatch !== etag && ifMatch !== '*') {
    res.writeHead(412).end();
    return;
  }
  if (range && (!ifRange || ifRange === etag)) {
    if (range[1] === '') {
      start = Math.max(0, size - Number(range[2]));
    } else {
      start = Number(range[1]);
      if (range[2] !== '') end = Math.min(Number(range[2]), size - 1);
    }
    if (start > end || start >= size) {
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    status = 206;
  }
  const headers: Record<string, string | number> = {
    'accept-ranges': 'bytes',
    etag,
    'content-length': end - start + 1,
    'content-type': 'application/octet-stream',
  };
  if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  res.writeHead(status, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  let at = start;
  const pump = (): void => {
    while (at <= end) {
      const length = Math.min(CHUNK, end - at + 1);
      const ok = res.write(fill(at, length));
      at += length;
      if (!ok) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
});

server.listen(Number(values.port), values.host, () => {
  process.stdout.write(`listening ${values.host}:${values.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
