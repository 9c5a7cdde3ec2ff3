import { createHash } from 'node:crypto';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PathwiseError } from '../../common/errors.ts';
import type { PathLimits } from '../engine/PathLimits.ts';
import { Transfer, type TransferTuning } from '../engine/Transfer.ts';
import { LOCAL_SYNC_DIR } from './syncNames.ts';
import type { SyncPaths } from './SyncPaths.ts';
import type { RemoteFile, WebDavClient } from './WebDavClient.ts';

/**
 * A sync's downloads wait less on a server that answers "come back later" (429, 503) than a
 * download the user started: the file is the run's error and the next run tries it again.
 */
export const SYNC_TUNING: Partial<TransferTuning> = { pushbackPatienceMs: 120_000 };

export interface EngineDownloads {
  paths: SyncPaths;
  /** The budget every download of the job shares: its allowance per path, caps and rate limits. */
  limits: PathLimits;
  tuning?: Partial<TransferTuning>;
}

/** Where a remote file is fetched to before it takes its place: stable per path, so a cut run resumes. */
export function stagingFile(localRoot: string, relative: string): string {
  const id = createHash('sha256').update(relative).digest('hex').slice(0, 32);
  return join(localRoot, LOCAL_SYNC_DIR, 'incoming', id);
}

/** Transfers running now, kept current with the paths (a path that goes down drops out at once). */
export class ActiveDownloads {
  private readonly running = new Set<Transfer>();

  add(transfer: Transfer): void {
    this.running.add(transfer);
  }

  delete(transfer: Transfer): void {
    this.running.delete(transfer);
  }

  updatePaths(paths: SyncPaths): void {
    for (const t of this.running) t.updatePaths(paths.current());
  }

  async pauseAll(): Promise<void> {
    await Promise.all([...this.running].map((t) => t.pause()));
  }
}

/**
 * Fetches one remote file into its staging file through the engine: byte ranges over every path
 * the job's policy allows, the engine's validators (a file that changes mid-way starts over, two
 * versions are never mixed), its crash-safe part file and journal (a run killed mid-file resumes
 * where it was), and its SHA-256. Every byte is booked under its path. Returns the file's hash.
 */
export async function downloadToStaging(
  url: URL,
  staging: string,
  size: number,
  downloads: EngineDownloads,
  active: ActiveDownloads,
): Promise<{ sha256: string; bytes: number; resumed: number }> {
  await mkdir(join(staging, '..'), { recursive: true });
  // A finished staging file from a run cut before it was put in place: the version may be stale.
  await rm(staging, { force: true });
  if (size === 0) {
    await writeFile(staging, '');
    return { sha256: createHash('sha256').digest('hex'), bytes: 0, resumed: 0 };
  }
  const { paths } = downloads;
  const access = paths.downloadAccess();
  const transfer = new Transfer({
    url: url.href,
    file: staging,
    mode: 'aggregate',
    paths: paths.current(),
    limits: downloads.limits,
    pools: paths.pools,
    agentFactory: paths.agentFactory,
    ...(access ? { access } : {}),
    whenCapped: 'fail',
    tuning: { ...SYNC_TUNING, ...downloads.tuning },
  });
  transfer.on('bytes', (event) => paths.book(event.path, event.direction, event.bytes));
  active.add(transfer);
  try {
    const outcome = await transfer.run();
    if (outcome.status === 'done') {
      return { sha256: outcome.sha256, bytes: outcome.bytes, resumed: outcome.resumedBytes };
    }
    if (outcome.status === 'failed') throw outcome.error as PathwiseError;
    throw Object.assign(new Error(`the download of ${url.pathname} was ${outcome.status}`), {
      code: 'E_STOPPED',
    });
  } finally {
    active.delete(transfer);
  }
}

/**
 * Files up to this size come whole in one GET over one path (the job's paths taking turns, so
 * files side by side use them all): an engine transfer's set-up (probe, part file, its journal,
 * lock) costs more than splitting such a file over paths could win.
 */
export const WHOLE_DOWNLOAD_BYTES = 1 << 20;

export interface Fetched {
  sha256: string;
  bytes: number;
  /** Bytes an earlier, cut run had fetched already. */
  resumed: number;
}

/**
 * A small file into its staging file: fetched whole (the version the listing saw, else null:
 * it changed since), held to the job's download rate, written and synced to disk before it may take its
 * place (a crash never leaves a torn file the journal would call in step).
 */
export async function fetchWhole(
  client: WebDavClient,
  relative: string,
  remote: RemoteFile,
  staging: string,
  run: { limits: PathLimits; signal?: AbortSignal },
): Promise<Fetched | null> {
  await mkdir(join(staging, '..'), { recursive: true });
  const got = await client.get(relative, remote, run.signal);
  if (got === null) return null;
  const { data, path } = got;
  // The same rate limit as the engine's downloads of the job (its share on this path).
  const wait = run.limits.throttle(path, data.length, performance.now());
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const handle = await open(staging, 'w', 0o644);
  try {
    await handle.writeFile(data);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  return { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length, resumed: 0 };
}
