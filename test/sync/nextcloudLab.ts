/**
 * A Nextcloud as far as a sync sees one, on loopback: WebDAV under `/remote.php/dav/files/<user>/`
 * (PROPFIND, GET, PUT, MKCOL, MOVE, COPY, DELETE) and chunked uploads v2 under
 * `/remote.php/dav/uploads/<user>/<id>/`, checked as Nextcloud checks them: a Destination header
 * on every request, the same as the MKCOL's; chunks named 1 to 10000, each but the last 5 MiB to
 * 5 GiB; the MOVE of `.file` joins them in numeric order, and their sum must be OC-Total-Length.
 * A chunk whose body is cut is not kept (Nextcloud writes a part file first). What breaks a rule
 * is answered 400 and noted in `violations`. `cuts` drop a request's connection at a byte of its
 * body; `chunking: false` answers the uploads collection as a server without it (405).
 */
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { PASSWORD, tempDir, USER } from './davLab.ts';

const MIN_CHUNK = 5 * 1024 * 1024;
const MAX_CHUNK = 5 * 1024 * 1024 * 1024;

export interface Cut {
  /** Matched against the request's path (decoded). */
  path: RegExp;
  /** Drop the connection once this many bytes of the body have arrived. */
  atByte: number;
  /** Only requests from this source address (a path); any when absent. */
  from?: string;
}

export interface BodyLog {
  method: string;
  path: string;
  from: string;
  /** Body bytes that arrived (those of a cut request too). */
  bytes: number;
  complete: boolean;
}

export interface NextcloudLab {
  url: string;
  /** The user's files on disk. */
  files: string;
  uploadsDir: string;
  chunking: { on: boolean };
  cuts: Cut[];
  bodies: BodyLog[];
  requests: Array<{ method: string; path: string; destination: string | undefined }>;
  violations: string[];
  /** Told of every piece of a body that arrives (a test acts in the middle of an upload). */
  onBody: { listener: ((log: BodyLog) => void) | null };
  /** Body bytes received since `bodies` was last emptied (PUTs only). */
  received(filter?: (b: BodyLog) => boolean): number;
  /** The upload folders the server holds (ids). */
  uploadFolders(): string[];
  close(): Promise<void>;
}

interface UploadMeta {
  destination: string;
}

const FILES = `/remote.php/dav/files/${USER}/`;
const UPLOADS = `/remote.php/dav/uploads/${USER}/`;

export async function startNextcloud(): Promise<NextcloudLab> {
  const root = tempDir('pw-nextcloud-');
  const files = join(root, 'files');
  const uploadsDir = join(root, 'uploads');
  mkdirSync(files);
  mkdirSync(uploadsDir);
  const lab = {
    files,
    uploadsDir,
    chunking: { on: true },
    cuts: [] as Cut[],
    bodies: [] as BodyLog[],
    requests: [] as NextcloudLab['requests'],
    violations: [] as string[],
    onBody: { listener: null } as NextcloudLab['onBody'],
  };
  const server: Server = createServer((req, res) => {
    handle(lab, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    ...lab,
    url: `http://127.0.0.1:${port}${FILES}`,
    received: (filter = () => true) => lab.bodies.filter(filter).reduce((a, b) => a + b.bytes, 0),
    uploadFolders: () => readdirSync(uploadsDir).filter((name) => !name.endsWith('.meta.json')),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

type Lab = Omit<NextcloudLab, 'url' | 'received' | 'uploadFolders' | 'close'>;

async function handle(lab: Lab, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const method = req.method ?? 'GET';
  const destination = header(req, 'destination');
  lab.requests.push({ method, path, destination });
  const auth = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  if (req.headers.authorization !== auth)
    return void res.writeHead(401, { 'www-authenticate': 'Basic' }).end();
  if (path.startsWith(UPLOADS)) return uploads(lab, req, res, method, path.slice(UPLOADS.length));
  if (!path.startsWith(FILES) && `${path}/` !== FILES) return void res.writeHead(404).end();
  const rel = path.slice(FILES.length).replace(/\/+$/, '');
  return filesRequest(lab, req, res, method, rel);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function etagOf(file: string): string {
  const stat = statSync(file);
  return createHash('md5').update(`${stat.size}:${stat.mtimeMs}:${stat.ino}`).digest('hex');
}

/** The request's body; null when the connection was cut (by a rule, or the client). */
function readBody(lab: Lab, req: IncomingMessage, method: string, path: string): Promise<Buffer | null> {
  const from = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
  const cutIndex = lab.cuts.findIndex((c) => c.path.test(path) && (!c.from || c.from === from));
  const cut = cutIndex >= 0 ? lab.cuts.splice(cutIndex, 1)[0] : undefined;
  const log: BodyLog = { method, path, from, bytes: 0, complete: false };
  lab.bodies.push(log);
  const parts: Buffer[] = [];
  return new Promise((resolve) => {
    req.on('data', (chunk: Buffer) => {
      if (cut && log.bytes + chunk.length >= cut.atByte) {
        const take = cut.atByte - log.bytes;
        log.bytes += take;
        req.socket.destroy();
        resolve(null);
        return;
      }
      log.bytes += chunk.length;
      parts.push(chunk);
      lab.onBody.listener?.(log);
    });
    req.on('end', () => {
      log.complete = true;
      resolve(Buffer.concat(parts));
    });
    req.on('close', () => resolve(null));
    req.on('error', () => resolve(null));
  });
}

function propEntry(href: string, stat: ReturnType<typeof statSync>, etag: string | null): string {
  const type = stat?.isDirectory() ? '<d:collection/>' : '';
  const props = [
    `<d:resourcetype>${type}</d:resourcetype>`,
    stat?.isDirectory() ? '' : `<d:getcontentlength>${stat?.size}</d:getcontentlength>`,
    etag ? `<d:getetag>"${etag}"</d:getetag>` : '',
    `<d:getlastmodified>${stat?.mtime.toUTCString()}</d:getlastmodified>`,
  ].join('');
  const encoded = href.split('/').map(encodeURIComponent).join('/');
  return `<d:response><d:href>${encoded}</d:href><d:propstat><d:prop>${props}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`;
}

function multistatus(res: ServerResponse, entries: string[]): void {
  res
    .writeHead(207, { 'content-type': 'application/xml; charset=utf-8' })
    .end(`<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">${entries.join('')}</d:multistatus>`);
}

function propfind(res: ServerResponse, disk: string, href: string, depth: string | undefined): void {
  const stat = statSync(disk, { throwIfNoEntry: false });
  if (!stat) return void res.writeHead(404).end();
  const entries = [propEntry(href, stat, stat.isDirectory() ? null : etagOf(disk))];
  if (stat.isDirectory() && depth === '1') {
    for (const name of readdirSync(disk).sort()) {
      if (name.endsWith('.meta.json')) continue;
      const child = join(disk, name);
      const s = statSync(child);
      entries.push(
        propEntry(`${href.replace(/\/$/, '')}/${name}`, s, s.isDirectory() ? null : etagOf(child)),
      );
    }
  }
  multistatus(res, entries);
}

/** The relative path a Destination URL names under the user's files; null elsewhere. */
function destinationRel(destination: string | undefined): string | null {
  if (!destination) return null;
  const path = decodeURIComponent(new URL(destination, 'http://x').pathname);
  return path.startsWith(FILES) ? path.slice(FILES.length).replace(/\/+$/, '') : null;
}

async function filesRequest(
  lab: Lab,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  rel: string,
): Promise<void> {
  const disk = join(lab.files, rel);
  const href = `${FILES}${rel}`;
  if (method === 'PROPFIND') return propfind(res, disk, href, header(req, 'depth'));
  if (method === 'GET') {
    const stat = statSync(disk, { throwIfNoEntry: false });
    if (!stat?.isFile()) return void res.writeHead(404).end();
    return void res.writeHead(200, { etag: `"${etagOf(disk)}"` }).end(readFileSync(disk));
  }
  if (method === 'PUT') {
    const body = await readBody(lab, req, method, `${FILES}${rel}`);
    if (body === null) return;
    if (!statSync(dirname(disk), { throwIfNoEntry: false })?.isDirectory())
      return void res.writeHead(409).end();
    const existed = statSync(disk, { throwIfNoEntry: false }) !== undefined;
    writeFileSync(disk, body);
    return void res.writeHead(existed ? 204 : 201, { etag: `"${etagOf(disk)}"` }).end();
  }
  if (method === 'MKCOL') {
    if (statSync(disk, { throwIfNoEntry: false })) return void res.writeHead(405).end();
    if (!statSync(dirname(disk), { throwIfNoEntry: false })) return void res.writeHead(409).end();
    mkdirSync(disk);
    return void res.writeHead(201).end();
  }
  if (method === 'DELETE') {
    if (!statSync(disk, { throwIfNoEntry: false })) return void res.writeHead(404).end();
    rmSync(disk, { recursive: true, force: true });
    return void res.writeHead(204).end();
  }
  if (method === 'MOVE' || method === 'COPY') {
    const to = destinationRel(header(req, 'destination'));
    if (to === null) return void res.writeHead(400).end();
    const target = join(lab.files, to);
    const existed = statSync(target, { throwIfNoEntry: false }) !== undefined;
    if (existed && header(req, 'overwrite') === 'F') return void res.writeHead(412).end();
    if (!statSync(dirname(target), { throwIfNoEntry: false })) return void res.writeHead(409).end();
    if (existed) rmSync(target, { recursive: true, force: true });
    if (method === 'MOVE') renameSync(disk, target);
    else copyFileSync(disk, target);
    return void res.writeHead(existed ? 204 : 201).end();
  }
  res.writeHead(405).end();
}

function refuse(lab: Lab, res: ServerResponse, why: string): void {
  lab.violations.push(why);
  res.writeHead(400).end(why);
}

async function uploads(
  lab: Lab,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  rest: string,
): Promise<void> {
  if (!lab.chunking.on) return void res.writeHead(405).end();
  const [id = '', name = ''] = rest.replace(/\/+$/, '').split('/');
  const folder = join(lab.uploadsDir, id);
  const metaFile = `${folder}.meta.json`;
  const meta = statSync(metaFile, { throwIfNoEntry: false })
    ? (JSON.parse(readFileSync(metaFile, 'utf8')) as UploadMeta)
    : null;
  const destination = header(req, 'destination');
  if (method === 'MKCOL' && name === '') {
    if (meta) return void res.writeHead(405).end();
    if (!destination) return refuse(lab, res, 'MKCOL without a Destination header');
    mkdirSync(folder);
    writeFileSync(metaFile, JSON.stringify({ destination }));
    return void res.writeHead(201).end();
  }
  if (!meta) return void res.writeHead(404).end();
  if (method !== 'DELETE' && destination !== meta.destination)
    return refuse(
      lab,
      res,
      `${method} ${rest}: Destination ${destination} is not the MKCOL's ${meta.destination}`,
    );
  if (method === 'DELETE' && name === '') {
    rmSync(folder, { recursive: true, force: true });
    rmSync(metaFile, { force: true });
    return void res.writeHead(204).end();
  }
  if (method === 'PROPFIND' && name === '')
    return propfind(res, folder, `${UPLOADS}${id}`, header(req, 'depth'));
  if (method === 'PUT') return putChunk(lab, req, res, folder, id, name);
  if (method === 'MOVE' && name === '.file') return assemble(lab, req, res, folder, metaFile, meta);
  res.writeHead(405).end();
}

async function putChunk(
  lab: Lab,
  req: IncomingMessage,
  res: ServerResponse,
  folder: string,
  id: string,
  name: string,
): Promise<void> {
  const n = /^\d+$/.test(name) ? Number(name) : Number.NaN;
  if (!(n >= 1 && n <= 10_000)) return refuse(lab, res, `chunk name ${name} is not a number from 1 to 10000`);
  const body = await readBody(lab, req, 'PUT', `${UPLOADS}${id}/${name}`);
  // A cut chunk leaves nothing behind (Nextcloud writes a part file and drops it).
  if (body === null) return;
  const existed = statSync(join(folder, name), { throwIfNoEntry: false }) !== undefined;
  writeFileSync(join(folder, name), body);
  res.writeHead(existed ? 204 : 201).end();
}

function assemble(
  lab: Lab,
  req: IncomingMessage,
  res: ServerResponse,
  folder: string,
  metaFile: string,
  meta: UploadMeta,
): void {
  const total = Number(header(req, 'oc-total-length'));
  const chunks = readdirSync(folder)
    .map((name) => ({ n: Number(name), file: join(folder, name) }))
    .sort((a, b) => a.n - b.n);
  const sizes = chunks.map((c) => statSync(c.file).size);
  for (const [i, size] of sizes.slice(0, -1).entries()) {
    if (size < MIN_CHUNK || size > MAX_CHUNK)
      return refuse(lab, res, `chunk ${chunks[i]?.n} has ${size} bytes (5 MiB to 5 GiB but the last)`);
  }
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sum !== total)
    return refuse(lab, res, `Chunks on server do not sum up to ${total} but to ${sum} bytes`);
  const to = destinationRel(meta.destination);
  if (to === null) return refuse(lab, res, `Destination ${meta.destination} is not under the user's files`);
  const target = join(lab.files, to);
  if (!statSync(dirname(target), { throwIfNoEntry: false })) return void res.writeHead(409).end();
  const existed = statSync(target, { throwIfNoEntry: false }) !== undefined;
  writeFileSync(target, Buffer.concat(chunks.map((c) => readFileSync(c.file))));
  rmSync(folder, { recursive: true, force: true });
  rmSync(metaFile, { force: true });
  const etag = `"${etagOf(target)}"`;
  res.writeHead(existed ? 204 : 201, { etag, 'oc-etag': etag }).end();
}
