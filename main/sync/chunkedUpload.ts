import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DavStatusError } from './davErrors.ts';
import { parseMultistatus, PROPFIND_BODY } from './davXml.ts';
import { lookAt, sameLocal, type LocalFile } from './localScan.ts';
import type { SyncJournal, UploadRecord } from './SyncJournal.ts';
import { attemptBodies, type BodyHooks } from './uploadBody.ts';
import type { WebDavClient } from './WebDavClient.ts';

/** Nextcloud's limits (chunking v2): chunks of 5 MiB to 5 GiB but the last, named 1 to 10000. */
const MIN_CHUNK_BYTES = 5 * 1024 * 1024;
const MAX_CHUNK_BYTES = 5 * 1024 * 1024 * 1024;
const MAX_CHUNKS = 10_000;
/** Joining chunks of gigabytes takes the server a while before it answers the MOVE. */
const ASSEMBLY_TIMEOUT_MS = 30 * 60_000;
const PUT_TIMEOUT_MS = 6 * 3_600_000;

/**
 * Nextcloud's uploads collection for a job whose folder is under `…/remote.php/dav/files/<user>/`
 * (`…/remote.php/dav/uploads/<user>/`); null for any other server.
 */
export function uploadsCollection(base: URL): URL | null {
  const match = /^(.*\/remote\.php\/dav)\/files\/([^/]+)\//.exec(base.pathname);
  return match ? new URL(`${match[1]}/uploads/${match[2]}/`, base) : null;
}

/**
 * A run's view of the server's chunked uploads: whether they apply to a file (a Nextcloud folder,
 * a file over the threshold, the server has not refused them in this run) and the chunk size.
 */
export class ChunkedUploads {
  readonly root: URL | null;
  readonly chunkBytes: number;
  readonly fromBytes: number;
  /** The server refused its uploads collection (no Nextcloud, or chunking off): whole PUTs this run. */
  refused = false;
  /** The server has answered whether it takes chunked uploads (in this run). */
  private known = false;
  private asking: Promise<unknown> = Promise.resolve();

  constructor(base: URL, options: { chunkBytes: number; fromBytes: number }) {
    this.root = uploadsCollection(base);
    this.chunkBytes = options.chunkBytes;
    this.fromBytes = options.fromBytes;
  }

  /**
   * Runs `ask` (an upload folder's MKCOL) one at a time until the server has answered whether it
   * takes chunked uploads, so files side by side do not all ask a server that has none.
   */
  async untilKnown<T>(ask: () => Promise<T>): Promise<T> {
    if (this.known) return ask();
    const turn = this.asking.then(ask);
    this.asking = turn.catch(() => undefined);
    return turn;
  }

  /** The server answered an upload folder's MKCOL: true, it made one; false, it refused. */
  answered(made: boolean): void {
    this.known = true;
    if (!made) this.refused = true;
  }

  applies(size: number): boolean {
    return this.root !== null && !this.refused && size > this.fromBytes;
  }

  /** The chunk size for a file: the job's, within Nextcloud's limits, and never past 10000 chunks. */
  chunkSize(size: number): number {
    const wanted = Math.max(this.chunkBytes, Math.ceil(size / MAX_CHUNKS));
    return Math.min(MAX_CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, wanted));
  }
}

export interface ChunkParts {
  client: WebDavClient;
  journal: SyncJournal;
  uploads: ChunkedUploads;
  localRoot: string;
  /** The bodies' rate, stall watchdog and booking under their path (uploadBody.ts). */
  hooks: BodyHooks;
  signal: AbortSignal;
}

/** An upload whose chunks are all on the server, ready to be joined (`assemble`). */
export interface ChunkedUpload {
  record: UploadRecord;
  /** Bytes sent again on another path after a path failed mid-chunk. */
  resent: number;
  /** Bytes an earlier run had sent already, not sent again. */
  kept: number;
}

type Begun = { record: UploadRecord; have: Set<number> };

function folderOf(parts: ChunkParts, uploadId: string): URL {
  return new URL(`${encodeURIComponent(uploadId)}/`, parts.uploads.root ?? undefined);
}

/** Chunk `n` (from 1) as the server names it: numbers that sort as they count. */
function chunkName(n: number): string {
  return String(n).padStart(5, '0');
}

function chunkRange(n: number, chunkBytes: number, size: number): { start: number; end: number } {
  const start = (n - 1) * chunkBytes;
  return { start, end: Math.min(size, start + chunkBytes) };
}

/** Drops an upload under way: its folder on the server (and the chunks in it), and its journal row. */
export async function abandon(parts: ChunkParts, record: UploadRecord): Promise<void> {
  await parts.client.send('DELETE', folderOf(parts, record.uploadId), { accept: [200, 204, 404] });
  parts.journal.removeUpload(record.path);
}

/**
 * The upload an earlier run began for this file, with the chunks the server holds whole; null
 * when there is none to go on with: none begun, the local file changed since (its folder is
 * deleted), or the server let it expire (Nextcloud does after 24 hours).
 */
async function resume(
  parts: ChunkParts,
  path: string,
  planned: LocalFile,
  destination: string,
): Promise<Begun | null> {
  const record = parts.journal.upload(path);
  if (!record) return null;
  const then: LocalFile = { size: record.localSize, mtimeMs: record.localMtimeMs };
  if (!sameLocal(then, planned) || record.chunkBytes !== parts.uploads.chunkSize(planned.size)) {
    await abandon(parts, record);
    return null;
  }
  const answer = await parts.client.send('PROPFIND', folderOf(parts, record.uploadId), {
    headers: { depth: '1', 'content-type': 'application/xml; charset=utf-8', destination },
    body: () => PROPFIND_BODY,
    accept: [207, 404],
  });
  if (answer.status === 404) {
    parts.journal.removeUpload(path);
    return null;
  }
  const have = new Set<number>();
  for (const entry of parseMultistatus(answer.text)) {
    const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
    if (entry.isDir || !/^\d+$/.test(name)) continue;
    const n = Number(name);
    const { start, end } = chunkRange(n, record.chunkBytes, planned.size);
    // A chunk a cut request left short is sent again.
    if (end > start && entry.size === end - start) have.add(n);
  }
  return { record, have };
}

/** A new upload folder (MKCOL with the file's destination); 'refused' when the server has none. */
async function begin(
  parts: ChunkParts,
  path: string,
  planned: LocalFile,
  destination: string,
): Promise<Begun | 'refused'> {
  const uploadId = `pathwise-${randomBytes(12).toString('hex')}`;
  const made = await parts.uploads.untilKnown(async () => {
    if (parts.uploads.refused) return false;
    const answer = await parts.client.send('MKCOL', folderOf(parts, uploadId), {
      headers: { destination },
      accept: [201, 403, 404, 405],
    });
    parts.uploads.answered(answer.status === 201);
    return answer.status === 201;
  });
  if (!made) return 'refused';
  const record: UploadRecord = {
    path,
    uploadId,
    chunkBytes: parts.uploads.chunkSize(planned.size),
    localSize: planned.size,
    localMtimeMs: planned.mtimeMs,
  };
  parts.journal.putUpload(record);
  return { record, have: new Set() };
}

/**
 * Sends a large file to Nextcloud in chunks (chunking v2): into an upload folder the journal
 * remembers, so a run cut anywhere — a path lost, a kill -9 — goes on with the chunks the server
 * lacks. Each chunk is one request: a path that fails hands it to the next (WebDavClient.send).
 * 'refused': the server offers no chunked uploads (send the file whole); 'changed': the local file
 * changed while its chunks went up (the upload is dropped; the next run starts afresh).
 */
export async function sendChunks(
  parts: ChunkParts,
  path: string,
  planned: LocalFile,
): Promise<ChunkedUpload | 'refused' | 'changed'> {
  if (parts.uploads.root === null) return 'refused';
  const destination = parts.client.url(path).href;
  const begun =
    (await resume(parts, path, planned, destination)) ?? (await begin(parts, path, planned, destination));
  if (begun === 'refused') return begun;
  const { record, have } = begun;
  const folder = folderOf(parts, record.uploadId);
  const file = join(parts.localRoot, path);
  const upload: ChunkedUpload = { record, resent: 0, kept: 0 };
  for (let n = 1; n <= Math.ceil(planned.size / record.chunkBytes); n++) {
    const { start, end } = chunkRange(n, record.chunkBytes, planned.size);
    if (have.has(n)) {
      upload.kept += end - start;
      continue;
    }
    if (!sameLocal(await lookAt(parts.localRoot, path), planned)) {
      await abandon(parts, record);
      return 'changed';
    }
    const bodies = attemptBodies(parts.hooks, { file, start, end });
    await parts.client.send('PUT', new URL(chunkName(n), folder), {
      headers: {
        destination,
        'oc-total-length': String(planned.size),
        'content-length': String(end - start),
        'content-type': 'application/octet-stream',
      },
      body: bodies.body,
      accept: [200, 201, 204],
      timeoutMs: PUT_TIMEOUT_MS,
      size: end - start,
      spread: true,
      signal: parts.signal,
    });
    upload.resent += bodies.resent();
  }
  return upload;
}

/**
 * Joins the chunks into the file at its name (MOVE of the upload's `.file`, replacing what is
 * there, as a whole upload's MOVE does); the new entity tag when the server tells it. A server
 * that finds the chunks do not add up (400) gets a fresh upload next run.
 */
export async function assemble(parts: ChunkParts, upload: ChunkedUpload): Promise<string | null> {
  const { record } = upload;
  try {
    const answer = await parts.client.send('MOVE', new URL('.file', folderOf(parts, record.uploadId)), {
      headers: {
        destination: parts.client.url(record.path).href,
        'oc-total-length': String(record.localSize),
        overwrite: 'T',
      },
      accept: [201, 204],
      timeoutMs: ASSEMBLY_TIMEOUT_MS,
    });
    parts.journal.removeUpload(record.path);
    const etag = answer.headers['oc-etag'] ?? answer.headers['etag'];
    return typeof etag === 'string' ? etag : null;
  } catch (error) {
    if (error instanceof DavStatusError && error.status === 400)
      await abandon(parts, record).catch(() => undefined);
    throw error;
  }
}
