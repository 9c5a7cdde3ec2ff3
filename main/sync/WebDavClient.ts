import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { networkError } from '../engine/transferErrors.ts';
import { request } from '../network/undiciCore.ts';
import { davStatusError, isPathFault } from './davErrors.ts';
import { normalEtag, parseMultistatus, PROPFIND_BODY, type DavEntry } from './davXml.ts';
import type { SyncPaths } from './SyncPaths.ts';

/** A file on the server as the sync compares it. */
export interface RemoteFile {
  size: number;
  etag: string | null;
  mtimeMs: number | null;
  /** The server's hash of the content, when it keeps one (see DavEntry). */
  checksum?: DavEntry['checksum'];
}

export interface RemoteTree {
  files: Map<string, RemoteFile>;
  dirs: Set<string>;
  /** Files that `skip` left out (the trash's folder is not walked): uploads a cut try left behind. */
  skipped: string[];
}

export interface Attempt {
  path: string;
  abort: (reason: Error) => void;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The answer's bytes (binary requests). */
  data: Buffer;
  path: string;
  /** How many paths were tried before the one that answered (see SendOptions.retarget). */
  tries: number;
}

export interface SendOptions {
  headers?: Record<string, string>;
  /**
   * A fresh body for each try (a failed path's upload is sent again whole on the next), told the
   * path it leaves on and how to give up on that path (an upload's stall watchdog).
   */
  body?: (attempt: Attempt) => Readable | string;
  /** Statuses that are answers, not errors (PROPFIND's 207, DELETE's 404…). */
  accept: readonly number[];
  /** Give up on a path after this long without an answer (uploads bring their own watchdog). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The body's size: a path whose allowance is smaller is not tried. */
  size?: number;
  /** Another target for each path tried after the first (`tries` = paths tried before). */
  retarget?: (tries: number) => URL;
  /** The answer is bytes, not text (`Answer.data`). */
  binary?: boolean;
  /** Spread requests over the job's best paths (the least busy first), not the quickest only. */
  spread?: boolean;
}

const METADATA_TIMEOUT_MS = 30_000;
/** Folders listed side by side while walking the tree (a listing costs the server more than the wire). */
const WALK_PARALLEL = 8;

/** A relative sync path ("a/b c.txt") as a URL path under the base, each segment escaped. */
export function escapePath(relative: string): string {
  return relative
    .split('/')
    .filter((s) => s !== '')
    .map(encodeURIComponent)
    .join('/');
}

/**
 * The WebDAV side of a sync (RFC 4918): PROPFIND Depth 1 folder by folder (servers commonly
 * refuse Depth infinity), MKCOL, PUT, DELETE, MOVE. Every request leaves over one of the job's
 * paths, the quickest first (the engine's interactive rule); a path that fails at the network
 * level hands the request to the next one (a body is sent again whole). Server answers become
 * coded errors (davErrors.ts). Bytes on the wire are booked under their path by SyncPaths.
 */
export class WebDavClient {
  readonly base: URL;
  private readonly paths: SyncPaths;
  private readonly knownDirs = new Set<string>(['']);
  private readonly making = new Map<string, Promise<void>>();

  constructor(base: string, paths: SyncPaths) {
    this.base = new URL(base.endsWith('/') ? base : `${base}/`);
    this.paths = paths;
  }

  url(relative: string, dir = false): URL {
    const escaped = escapePath(relative);
    return new URL(`${this.base.pathname}${escaped}${dir && escaped ? '/' : ''}`, this.base);
  }

  /** Sends one request, trying the job's paths in order; throws the last path's error. */
  async send(method: string, target: URL, options: SendOptions): Promise<Answer> {
    const order = options.spread ? this.paths.spread(options.size ?? 0) : this.paths.order(options.size ?? 0);
    if (order.length === 0) throw this.paths.noPathError(options.size ?? 0);
    let last: unknown;
    for (const [tries, path] of order.entries()) {
      // The body's bytes are promised to this path until the request ends (the allowance).
      const release = this.paths.reserve(path.name, options.size ?? 0);
      if (release === null) {
        last ??= this.paths.noPathError(options.size ?? 0);
        continue;
      }
      const lease = this.paths.lease(path);
      const to = tries > 0 && options.retarget ? options.retarget(tries) : target;
      try {
        const answer = {
          ...(await this.sendOn(lease.dispatcher, path.name, method, to, options).finally(release)),
          tries,
        };
        lease.release();
        if (!options.accept.includes(answer.status)) throw davStatusError(answer.status, method, to.pathname);
        return answer;
      } catch (error) {
        const coded = networkError(error, { host: target.host, path: path.name });
        if (!isPathFault(coded) || options.signal?.aborted) {
          lease.release();
          throw coded;
        }
        lease.retire();
        last = coded;
      }
    }
    throw last;
  }

  private async sendOn(
    dispatcher: Dispatcher,
    pathName: string,
    method: string,
    target: URL,
    options: SendOptions,
  ): Promise<Answer> {
    const attempt = new AbortController();
    const untrack = this.paths.track(pathName, attempt);
    try {
      return await this.exchange(dispatcher, pathName, method, target, options, attempt);
    } finally {
      untrack();
    }
  }

  private async exchange(
    dispatcher: Dispatcher,
    pathName: string,
    method: string,
    target: URL,
    options: SendOptions,
    attempt: AbortController,
  ): Promise<Answer> {
    const body = options.body?.({ path: pathName, abort: (reason) => attempt.abort(reason) });
    if (typeof body === 'string') this.paths.book(pathName, 'up', Buffer.byteLength(body));
    const timeout = AbortSignal.timeout(options.timeoutMs ?? METADATA_TIMEOUT_MS);
    const signal = AbortSignal.any([timeout, attempt.signal, ...(options.signal ? [options.signal] : [])]);
    const response = await request(dispatcher, {
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: method as Dispatcher.HttpMethod,
      headers: { ...options.headers, ...authorization(this.paths.authorizationFor(target)) },
      ...(body === undefined ? {} : { body }),
      signal,
    });
    const data = Buffer.from(await response.body.arrayBuffer());
    this.paths.book(pathName, 'down', data.length);
    const text = options.binary ? '' : data.toString('utf8');
    return { status: response.statusCode, headers: response.headers, text, data, path: pathName, tries: 0 };
  }

  /** The entries of one folder (its own entry left out), paths relative to the base. */
  async list(dir: string): Promise<DavEntry[]> {
    const target = this.url(dir, true);
    const answer = await this.send('PROPFIND', target, {
      headers: { depth: '1', 'content-type': 'application/xml; charset=utf-8' },
      body: () => PROPFIND_BODY,
      accept: [207],
    });
    const self = decodeURIComponent(target.pathname).replace(/\/+$/, '');
    return parseMultistatus(answer.text)
      .filter((e) => e.path !== self)
      .map((e) => ({ ...e, path: this.relative(e.path) }))
      .filter((e) => e.path !== '');
  }

  /** One entry (Depth 0), or null when the server has none. */
  async stat(relative: string): Promise<DavEntry | null> {
    const answer = await this.send('PROPFIND', this.url(relative), {
      headers: { depth: '0', 'content-type': 'application/xml; charset=utf-8' },
      body: () => PROPFIND_BODY,
      accept: [207, 404],
    });
    if (answer.status === 404) return null;
    const [entry] = parseMultistatus(answer.text);
    return entry ? { ...entry, path: relative } : null;
  }

  private relative(serverPath: string): string {
    const root = decodeURIComponent(this.base.pathname).replace(/\/+$/, '');
    if (serverPath === root) return '';
    return serverPath.startsWith(`${root}/`)
      ? serverPath.slice(root.length + 1)
      : serverPath.replace(/^\/+/, '');
  }

  /** The whole tree, one PROPFIND Depth 1 per folder; `skip` leaves a folder (and what is in it) out. */
  async walk(skip: (dir: string) => boolean = () => false): Promise<RemoteTree> {
    const files = new Map<string, RemoteFile>();
    const dirs = new Set<string>();
    const skipped: string[] = [];
    const queue = [''];
    while (queue.length > 0) {
      const batch = queue.splice(0, WALK_PARALLEL);
      const listed = await Promise.all(batch.map((dir) => this.list(dir)));
      for (const entries of listed) {
        for (const entry of entries) {
          // The trash, and uploads a cut run left under their temporary names.
          if (skip(entry.path)) {
            if (!entry.isDir) skipped.push(entry.path);
            continue;
          }
          if (entry.isDir) {
            dirs.add(entry.path);
            this.knownDirs.add(entry.path);
            queue.push(entry.path);
          } else {
            files.set(entry.path, {
              size: entry.size ?? 0,
              etag: entry.etag,
              mtimeMs: entry.mtimeMs,
              checksum: entry.checksum,
            });
          }
        }
      }
    }
    return { files, dirs, skipped };
  }

  /**
   * Creates `dir` and its missing parents (MKCOL one level at a time). Uploads side by side into
   * one new folder share its MKCOL: a second one at once is refused by some servers (rclone: 423).
   */
  async ensureDir(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    let making = this.making.get(dir);
    if (!making) {
      making = this.makeDir(dir).finally(() => this.making.delete(dir));
      this.making.set(dir, making);
    }
    return making;
  }

  private async makeDir(dir: string): Promise<void> {
    const parent = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
    await this.ensureDir(parent);
    // 405: it exists already (another client, or an earlier run that was cut).
    await this.send('MKCOL', this.url(dir, true), { accept: [201, 405] });
    this.knownDirs.add(dir);
  }

  forgetDir(dir: string): void {
    for (const known of this.knownDirs)
      if (known === dir || known.startsWith(`${dir}/`)) this.knownDirs.delete(known);
  }

  /** PUT; the new entity tag when the server tells it. */
  async put(
    relative: string,
    body: (attempt: Attempt) => Readable | string,
    size: number,
    signal?: AbortSignal,
  ): Promise<string | null> {
    const answer = await this.send('PUT', this.url(relative), {
      headers: { 'content-length': String(size), 'content-type': 'application/octet-stream' },
      body,
      accept: [200, 201, 204],
      // The body's own watchdog judges a stalled upload; this only bounds a server that never answers.
      timeoutMs: 6 * 3_600_000,
      size,
      spread: true,
      ...(signal ? { signal } : {}),
    });
    const etag = answer.headers['etag'];
    return typeof etag === 'string' ? etag : null;
  }

  /**
   * PUT under a temporary name that is new for each path tried: the server may still be writing
   * (and hold) the name a cut path's try used. Returns the name that took the file and the
   * names earlier tries may have left behind (for the caller to remove).
   */
  async putFresh(
    name: (tries: number) => string,
    body: (attempt: Attempt) => Readable | string,
    size: number,
    signal?: AbortSignal,
  ): Promise<{ name: string; left: string[] }> {
    const answer = await this.send('PUT', this.url(name(0)), {
      headers: { 'content-length': String(size), 'content-type': 'application/octet-stream' },
      body,
      accept: [200, 201, 204],
      timeoutMs: 6 * 3_600_000,
      size,
      spread: true,
      retarget: (tries) => this.url(name(tries)),
      ...(signal ? { signal } : {}),
    });
    return { name: name(answer.tries), left: Array.from({ length: answer.tries }, (_, i) => name(i)) };
  }

  /**
   * A small file whole, in one GET over one of the job's paths (spread over them, the next one
   * if a path fails): the version the listing saw, else null when it changed since (another
   * entity tag or length), for the next round to judge.
   */
  async get(
    relative: string,
    remote: RemoteFile,
    signal?: AbortSignal,
  ): Promise<{ data: Buffer; path: string } | null> {
    const answer = await this.send('GET', this.url(relative), {
      accept: [200],
      binary: true,
      spread: true,
      size: remote.size,
      timeoutMs: 120_000,
      ...(signal ? { signal } : {}),
    });
    const header = answer.headers['etag'];
    const etag = normalEtag(typeof header === 'string' ? header : null);
    if (answer.data.length !== remote.size) return null;
    if (etag !== null && remote.etag !== null && etag !== remote.etag) return null;
    return { data: answer.data, path: answer.path };
  }

  /** DELETE; a file that is gone already is fine. */
  async delete(relative: string, dir = false): Promise<void> {
    await this.send('DELETE', this.url(relative, dir), { accept: [200, 204, 404] });
    if (dir) this.forgetDir(relative);
  }

  /** A server-side COPY (no bytes cross the network), replacing what is at `to`. */
  async copy(from: string, to: string): Promise<void> {
    const parent = to.includes('/') ? to.slice(0, to.lastIndexOf('/')) : '';
    await this.ensureDir(parent);
    await this.send('COPY', this.url(from), {
      headers: { destination: this.url(to).href, overwrite: 'T', depth: '0' },
      accept: [201, 204],
    });
  }

  async move(from: string, to: string, options: { dir?: boolean; overwrite?: boolean } = {}): Promise<void> {
    const parent = to.includes('/') ? to.slice(0, to.lastIndexOf('/')) : '';
    await this.ensureDir(parent);
    await this.send('MOVE', this.url(from, options.dir), {
      headers: { destination: this.url(to, options.dir).href, overwrite: options.overwrite ? 'T' : 'F' },
      accept: [201, 204],
    });
    if (options.dir) this.forgetDir(from);
  }
}

function authorization(value: string | null): Record<string, string> {
  return value === null ? {} : { authorization: value };
}
