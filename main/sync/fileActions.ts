import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, utimes } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { normalEtag } from './davXml.ts';
import {
  downloadToStaging,
  fetchWhole,
  stagingFile,
  WHOLE_DOWNLOAD_BYTES,
  type ActiveDownloads,
  type EngineDownloads,
  type Fetched,
} from './engineDownload.ts';
import { lookAt, sameLocal, type LocalFile } from './localScan.ts';
import type { FileAction } from './reconcile.ts';
import type { SyncJournal } from './SyncJournal.ts';
import { conflictName, UPLOAD_SUFFIX } from './syncNames.ts';
import type { SyncPaths } from './SyncPaths.ts';
import type { SyncTrash } from './SyncTrash.ts';
import { abandon, assemble, sendChunks, type ChunkedUploads } from './chunkedUpload.ts';
import { attemptBodies, type BodyHooks, type RateBucket } from './uploadBody.ts';
import type { RemoteFile, WebDavClient } from './WebDavClient.ts';

/** What a run did, for its record and its report. */
export interface RunTally {
  uploaded: number;
  downloaded: number;
  deleted: number;
  conflicts: string[];
  /** Upload bytes sent again on another path after a path failed mid-file (or mid-chunk). */
  resentBytes: number;
  /** Upload bytes a cut run had sent already in chunks the server kept (not sent again). */
  keptBytes: number;
  /** Download bytes a cut run had fetched already (not fetched again). */
  resumedBytes: number;
  /** Files left for the next run: changed while this one handled them. */
  deferred: string[];
  /** Folders made on either side (deleted ones count in `deleted`). */
  folders: number;
}

export function emptyTally(): RunTally {
  return {
    uploaded: 0,
    downloaded: 0,
    deleted: 0,
    conflicts: [],
    resentBytes: 0,
    keptBytes: 0,
    resumedBytes: 0,
    deferred: [],
    folders: 0,
  };
}

export interface ActionContext {
  localRoot: string;
  client: WebDavClient;
  journal: SyncJournal;
  paths: SyncPaths;
  trash: SyncTrash;
  downloads: EngineDownloads;
  active: ActiveDownloads;
  bucket: RateBucket;
  /** Files up to this size are read whole and sent under their name; larger ones go up under a temporary name. */
  smallBytes: number;
  /** Nextcloud's chunked uploads for large files, where the server offers them (this run's view). */
  chunked: ChunkedUploads;
  stallMs: number;
  signal: AbortSignal;
  tally: RunTally;
}

function record(ctx: ActionContext, path: string, local: LocalFile, remote: RemoteFile): void {
  ctx.journal.put({
    path,
    localSize: local.size,
    localMtimeMs: local.mtimeMs,
    remoteEtag: remote.etag,
    remoteSize: remote.size,
    remoteMtimeMs: remote.mtimeMs,
  });
}

export async function runAction(action: FileAction, ctx: ActionContext): Promise<void> {
  switch (action.kind) {
    case 'upload':
      return upload(action.path, action.local, action.replaces, ctx);
    case 'download':
      return download(action.path, action.remote, action.replaces, ctx);
    case 'deleteLocal':
      return deleteLocal(action.path, action.local, ctx);
    case 'deleteRemote':
      await ctx.trash.trashRemote(action.path);
      ctx.journal.remove(action.path);
      ctx.tally.deleted++;
      return;
    case 'conflict':
      return conflict(action.path, action.local, action.remote, ctx);
    case 'forget':
      ctx.journal.remove(action.path);
      return;
  }
}

/** The remote entry after a write: from the PUT's ETag when the server sent one, else asked for. */
async function remoteAfter(
  ctx: ActionContext,
  path: string,
  etag: string | null,
  size: number,
): Promise<RemoteFile> {
  const tag = normalEtag(etag);
  if (tag !== null) return { size, etag: tag, mtimeMs: null };
  const stat = await ctx.client.stat(path);
  if (stat) return { size: stat.size ?? size, etag: stat.etag ?? normalEtag(etag), mtimeMs: stat.mtimeMs };
  return { size, etag: normalEtag(etag), mtimeMs: null };
}

/**
 * Sends a local file. A small one is read whole (the bytes sent are the bytes looked at); a large
 * one goes up in chunks where the server is a Nextcloud (resumable, see chunkedUpload.ts), else
 * under a temporary name; either takes its place only if the local file did not change meanwhile
 * — a file still being written never lands half-done under its name. The version it replaces is
 * kept in the server's trash.
 */
async function upload(
  path: string,
  planned: LocalFile,
  replaces: RemoteFile | null,
  ctx: ActionContext,
): Promise<void> {
  const before = await lookAt(ctx.localRoot, path);
  if (!sameLocal(before, planned)) {
    ctx.tally.deferred.push(path);
    return;
  }
  const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  await ctx.client.ensureDir(parent);
  let sent: { etag: string | null } | null | 'refused' = 'refused';
  if (planned.size <= ctx.smallBytes) sent = await putSmall(path, planned, replaces, ctx);
  else if (ctx.chunked.applies(planned.size)) sent = await putChunked(path, planned, replaces, ctx);
  if (sent === 'refused') sent = await putViaTemporary(path, planned, replaces, ctx);
  if (sent === null) {
    ctx.tally.deferred.push(path);
    return;
  }
  record(ctx, path, planned, await remoteAfter(ctx, path, sent.etag, planned.size));
  ctx.tally.uploaded++;
}

function bodyHooks(ctx: ActionContext): BodyHooks {
  return {
    bucket: ctx.bucket,
    stallMs: ctx.stallMs,
    book: (name, bytes) => ctx.paths.book(name, 'up', bytes),
  };
}

/** A small file read whole and PUT under its name; null: it changed while being read. */
async function putSmall(
  path: string,
  planned: LocalFile,
  replaces: RemoteFile | null,
  ctx: ActionContext,
): Promise<{ etag: string | null } | null> {
  const content = await readFile(join(ctx.localRoot, path));
  if (!sameLocal(await lookAt(ctx.localRoot, path), planned) || content.length !== planned.size) return null;
  if (replaces) await ctx.trash.keepRemoteVersion(path);
  const bodies = attemptBodies(bodyHooks(ctx), content);
  const etag = await ctx.client.put(path, bodies.body, content.length, ctx.signal);
  ctx.tally.resentBytes += bodies.resent();
  return { etag };
}

/** A large file under a temporary name, then MOVEd into place; null: it changed meanwhile. */
async function putViaTemporary(
  path: string,
  planned: LocalFile,
  replaces: RemoteFile | null,
  ctx: ActionContext,
): Promise<{ etag: string | null } | null> {
  const stem = `${path}.${randomBytes(4).toString('hex')}`;
  const bodies = attemptBodies(bodyHooks(ctx), join(ctx.localRoot, path));
  const sent = await ctx.client.putFresh(
    (n) => `${stem}-${n}${UPLOAD_SUFFIX}`,
    bodies.body,
    planned.size,
    ctx.signal,
  );
  ctx.tally.resentBytes += bodies.resent();
  // A cut try's name may still be held by the server for a while: removing it is best effort.
  for (const left of sent.left) await ctx.client.delete(left).catch(() => undefined);
  if (!sameLocal(await lookAt(ctx.localRoot, path), planned)) {
    await ctx.client.delete(sent.name);
    return null;
  }
  if (replaces) await ctx.trash.trashRemote(path);
  await ctx.client.move(sent.name, path, { overwrite: true });
  return { etag: null };
}

/**
 * A large file in Nextcloud's chunks, going on from the chunks an earlier run left; 'refused':
 * the server has no chunked uploads (the file goes whole); null: it changed meanwhile.
 */
async function putChunked(
  path: string,
  planned: LocalFile,
  replaces: RemoteFile | null,
  ctx: ActionContext,
): Promise<{ etag: string | null } | null | 'refused'> {
  const parts = {
    client: ctx.client,
    journal: ctx.journal,
    uploads: ctx.chunked,
    localRoot: ctx.localRoot,
    hooks: bodyHooks(ctx),
    signal: ctx.signal,
  };
  const sent = await sendChunks(parts, path, planned);
  if (sent === 'refused') return sent;
  if (sent === 'changed') return null;
  ctx.tally.resentBytes += sent.resent;
  ctx.tally.keptBytes += sent.kept;
  if (!sameLocal(await lookAt(ctx.localRoot, path), planned)) {
    await abandon(parts, sent.record);
    return null;
  }
  if (replaces) await ctx.trash.trashRemote(path);
  return { etag: await assemble(parts, sent) };
}

/** Puts a fetched staging file at `path`, the local version it replaces into the trash first. */
async function place(
  ctx: ActionContext,
  staging: string,
  path: string,
  remote: RemoteFile,
  replaces: boolean,
): Promise<LocalFile> {
  const target = join(ctx.localRoot, path);
  await mkdir(dirname(target), { recursive: true });
  if (replaces) await ctx.trash.trashLocal(path);
  await rename(staging, target);
  if (remote.mtimeMs !== null) {
    const at = new Date(remote.mtimeMs);
    await utimes(target, at, at).catch(() => undefined);
  }
  return (await lookAt(ctx.localRoot, path)) as LocalFile;
}

/** The remote version into its staging file: small files whole, larger ones through the engine. */
function fetchRemote(ctx: ActionContext, path: string, remote: RemoteFile): Promise<Fetched | null> {
  const staging = stagingFile(ctx.localRoot, path);
  if (remote.size <= WHOLE_DOWNLOAD_BYTES) {
    return fetchWhole(ctx.client, path, remote, staging, {
      limits: ctx.downloads.limits,
      signal: ctx.signal,
    });
  }
  return downloadToStaging(ctx.client.url(path), staging, remote.size, ctx.downloads, ctx.active);
}

async function download(
  path: string,
  remote: RemoteFile,
  replaces: LocalFile | null,
  ctx: ActionContext,
): Promise<void> {
  const staging = stagingFile(ctx.localRoot, path);
  const got = await fetchRemote(ctx, path, remote);
  if (got === null) {
    ctx.tally.deferred.push(path);
    return;
  }
  ctx.tally.resumedBytes += got.resumed;
  // The local side must be as planned: a file created or edited meanwhile is judged next round.
  const now = await lookAt(ctx.localRoot, path);
  if (replaces ? !sameLocal(now, replaces) : now !== null) {
    await rm(staging, { force: true });
    ctx.tally.deferred.push(path);
    return;
  }
  // The server's entity tag moved but the bytes did not (a touch, a tag that changed after an
  // upload): the local file stays as it is, nothing goes to the trash, the journal learns the tag.
  if (replaces && got.bytes === replaces.size && (await hashFile(join(ctx.localRoot, path))) === got.sha256) {
    await rm(staging, { force: true });
    record(ctx, path, replaces, remote);
    return;
  }
  const local = await place(ctx, staging, path, remote, replaces !== null);
  record(ctx, path, local, remote);
  ctx.tally.downloaded++;
}

async function deleteLocal(path: string, planned: LocalFile, ctx: ActionContext): Promise<void> {
  if (!sameLocal(await lookAt(ctx.localRoot, path), planned)) {
    ctx.tally.deferred.push(path);
    return;
  }
  await ctx.trash.trashLocal(path);
  ctx.journal.remove(path);
  ctx.tally.deleted++;
}

function hashFile(file: string, algorithm = 'sha256'): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash(algorithm);
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * Whether the local file holds the bytes the server's checksum names (same size, same hash of
 * the algorithm the server keeps), so both versions are one and nothing needs to move. Without a
 * server checksum the remote version is fetched and compared instead (see `conflict`).
 */
async function sameByChecksum(
  ctx: ActionContext,
  path: string,
  local: LocalFile,
  remote: RemoteFile,
): Promise<boolean> {
  const sum = remote.checksum;
  if (!sum || remote.size !== local.size) return false;
  const hex = await hashFile(join(ctx.localRoot, path), sum.algorithm).catch(() => null);
  return hex === sum.hex && sameLocal(await lookAt(ctx.localRoot, path), local);
}

/**
 * Both sides changed (or both are new). The remote version is fetched; the same bytes are no
 * conflict (the journal just learns both). Otherwise both are kept: the local version is renamed
 * to a conflict copy (uploaded in the next round like any new file) and the remote one takes the
 * name on both sides.
 */
async function conflict(
  path: string,
  local: LocalFile,
  remote: RemoteFile,
  ctx: ActionContext,
): Promise<void> {
  if (await sameByChecksum(ctx, path, local, remote)) {
    record(ctx, path, local, remote);
    return;
  }
  const staging = stagingFile(ctx.localRoot, path);
  const got = await fetchRemote(ctx, path, remote);
  if (got === null || !sameLocal(await lookAt(ctx.localRoot, path), local)) {
    await rm(staging, { force: true });
    ctx.tally.deferred.push(path);
    return;
  }
  if (got.bytes === local.size && (await hashFile(join(ctx.localRoot, path))) === got.sha256) {
    await rm(staging, { force: true });
    record(ctx, path, local, remote);
    return;
  }
  const copy = conflictName(path, 'local', Date.now());
  await rename(join(ctx.localRoot, path), join(ctx.localRoot, copy));
  const placed = await place(ctx, staging, path, remote, false);
  record(ctx, path, placed, remote);
  ctx.tally.conflicts.push(copy);
  ctx.tally.downloaded++;
}
