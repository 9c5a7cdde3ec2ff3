import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type {
  ContinuityEvent,
  PathInfo,
  Settings,
  StartTransfer,
  TransferInfo,
} from '../../common/contract.ts';
import type { PathBytesEvent } from '../base/budget.ts';
import { PathwiseError } from '../../common/errors.ts';
import { enginePathsFrom } from './EnginePath.ts';
import { createPathAgent, type PathAgentFactory } from './pathAgent.ts';
import { SharedPathPools } from './pathPools.ts';
import { PathLimits } from './PathLimits.ts';
import { safeFileName } from './SafeFileName.ts';
import { typedMirrorSites, type DownloadAccess, type Login } from './requestAuth.ts';
import { Transfer, type TransferOptions, type TransferTuning } from './Transfer.ts';

/** What the manager needs from the monitor: the current paths and their changes. */
export interface PathSource {
  snapshot(): PathInfo[];
  on(event: 'paths', listener: (paths: PathInfo[]) => void): unknown;
  off(event: 'paths', listener: (paths: PathInfo[]) => void): unknown;
}

export interface TransferManagerOptions {
  paths: PathSource;
  settings: () => Settings;
  limits?: PathLimits;
  agentFactory?: PathAgentFactory;
  tuning?: Partial<TransferTuning>;
}

interface TransferManagerEvents {
  /** Some transfer changed (state, paths, name); progress is read with list(). */
  changed: [];
  continuity: [ContinuityEvent];
  bytes: [PathBytesEvent];
}

const CONTINUITY_KEPT = 500;

/** How long start() waits for a new download's first requests to leave before it answers. */
const SENT_WAIT_MS = 100;

async function requestsSentOrTimeout(transfer: Transfer, ms: number): Promise<void> {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), ms);
  try {
    await transfer.requestsSent(stop.signal);
  } catch {
    // A failed wait answers as one that timed out: the transfer reports its own errors.
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The app's downloads: starts them in the download folder, pauses, resumes and cancels them,
 * keeps every transfer's view of the paths current (a path that goes down drops out of every
 * transfer at once), and relays their events for the ledger and the UI.
 */
export class TransferManager extends EventEmitter<TransferManagerEvents> {
  readonly limits: PathLimits;
  private readonly options: TransferManagerOptions;
  private readonly transfers = new Map<string, Transfer>();
  private readonly timeline: ContinuityEvent[] = [];
  private readonly onPaths = (paths: PathInfo[]): void => {
    for (const transfer of this.transfers.values()) {
      transfer.updatePaths(enginePathsFrom(paths, this.allowed.get(transfer.id) ?? undefined));
    }
  };
  private readonly allowed = new Map<string, string[] | null>();
  /** How each transfer was made, so it can be made again on other paths (setPaths). */
  private readonly made = new Map<string, TransferOptions>();
  /** One pool per path for all downloads: the next download starts on kept-alive connections. */
  private readonly pools: SharedPathPools;

  constructor(options: TransferManagerOptions) {
    super();
    this.options = options;
    this.limits = options.limits ?? new PathLimits();
    this.pools = new SharedPathPools(options.agentFactory ?? createPathAgent);
    options.paths.on('paths', this.onPaths);
  }

  list(): TransferInfo[] {
    return [...this.transfers.values()].map((t) => t.info());
  }

  continuity(): ContinuityEvent[] {
    return [...this.timeline];
  }

  get running(): boolean {
    return [...this.transfers.values()].some(
      (t) => t.currentState === 'running' || t.currentState === 'probing',
    );
  }

  async start(request: StartTransfer): Promise<TransferInfo> {
    const directory = this.options.settings().downloadDir;
    if (!isAbsolute(directory)) {
      // Settings refuse one (the schema); this holds for settings from anywhere else too.
      throw new PathwiseError(
        'E_BAD_SETTINGS',
        `downloadDir "${directory}" is a relative path: choose the download folder in full (such as /home/me/Downloads) in the settings.`,
      );
    }
    // One mkdir call (EEXIST when the folder is there): through the thread pool it would hold the
    // download's first request back by a trip round the event loop, 1–4 ms in a busy process.
    mkdirSync(directory, { recursive: true });
    const only = request.paths ?? null;
    const options: TransferOptions = {
      url: request.url,
      directory,
      ...(request.fileName ? { fileName: safeFileName(request.fileName) } : {}),
      mode: request.mode,
      paths: enginePathsFrom(this.options.paths.snapshot(), only ?? undefined),
      allowedPaths: only,
      ...(request.caps ? { caps: request.caps } : {}),
      ...(request.sha256 ? { sha256: request.sha256 } : {}),
      // Mirrors and a login typed in the dashboard, as `pathwise get URL MIRROR --user` gives them:
      // the login goes to every address the user typed (each its own site) and is held in memory only.
      ...(request.mirrors?.length ? { mirrors: { urls: request.mirrors.map((url) => ({ url })) } } : {}),
      ...(request.login
        ? { access: dashboardAccess(request.url, request.mirrors ?? [], request.login) }
        : {}),
      limits: this.limits,
      whenCapped: 'wait',
      ...(this.options.agentFactory ? { agentFactory: this.options.agentFactory } : {}),
      pools: this.pools,
      ...(this.options.tuning ? { tuning: this.options.tuning } : {}),
    };
    const transfer = this.adopt(new Transfer(options), options);
    // Runs at once up to its first requests, which are handed to the paths' pools when this returns.
    void transfer.run();
    // The caller's answer and the list's update (each checked against the contract and sent:
    // 1–4 ms, more in a process that has just started) wait until those requests are on the wire,
    // as long as a handshake takes but no longer than SENT_WAIT_MS: work done before the
    // connections are picked up holds the first request back by as much.
    await requestsSentOrTimeout(transfer, SENT_WAIT_MS);
    transfer.on('change', () => this.emit('changed'));
    this.emit('changed');
    return transfer.info();
  }

  /** Keeps a transfer (and how it was made) and relays its bytes and continuity events. */
  private adopt(transfer: Transfer, options: TransferOptions): Transfer {
    this.made.set(transfer.id, options);
    this.allowed.set(transfer.id, options.allowedPaths ?? null);
    this.transfers.set(transfer.id, transfer);
    transfer.on('bytes', (event) => this.emit('bytes', event));
    transfer.on('continuity', (event) => {
      // An event told again (a path lost, then where its work went) replaces its first telling.
      const told = this.timeline.findIndex((e) => e.id === event.id);
      if (told >= 0) this.timeline[told] = event;
      else if (this.timeline.push(event) > CONTINUITY_KEPT) this.timeline.shift();
      this.emit('continuity', event);
    });
    return transfer;
  }

  /**
   * Moves a download to `paths` (null: the preferences decide), e.g. off a path at its cap: the
   * run stops keeping its part file, and goes on over the new paths from there, under the same id.
   */
  async setPaths(id: string, paths: string[] | null): Promise<TransferInfo> {
    const old = this.get(id);
    const { state, file } = old.info();
    if (state === 'done' || state === 'cancelled') {
      throw new PathwiseError('E_BUSY', `This download is ${state}; there is nothing left to move.`);
    }
    await old.pause();
    old.removeAllListeners();
    const { directory: _directory, fileName: _fileName, ...made } = this.made.get(id) as TransferOptions;
    const options: TransferOptions = {
      ...made,
      id,
      file,
      paths: enginePathsFrom(this.options.paths.snapshot(), paths ?? undefined),
      allowedPaths: paths,
    };
    const transfer = this.adopt(new Transfer(options), options);
    transfer.on('change', () => this.emit('changed'));
    void transfer.run();
    this.emit('changed');
    return transfer.info();
  }

  private get(id: string): Transfer {
    const transfer = this.transfers.get(id);
    if (!transfer)
      throw new PathwiseError('E_NOT_FOUND', `There is no transfer ${id}; it may have been removed.`);
    return transfer;
  }

  /** Like start() but for an existing transfer: resumes from its journal. */
  async resume(id: string): Promise<TransferInfo> {
    const transfer = this.get(id);
    const state = transfer.currentState;
    if (state === 'paused' || state === 'failed' || state === 'queued') {
      transfer.updatePaths(enginePathsFrom(this.options.paths.snapshot(), this.allowed.get(id) ?? undefined));
      void transfer.run();
    }
    return transfer.info();
  }

  async pause(id: string): Promise<TransferInfo> {
    const transfer = this.get(id);
    await transfer.pause();
    return transfer.info();
  }

  async cancel(id: string): Promise<TransferInfo> {
    const transfer = this.get(id);
    await transfer.cancel();
    return transfer.info();
  }

  async pauseAll(): Promise<TransferInfo[]> {
    await Promise.all([...this.transfers.values()].map((t) => t.pause()));
    return this.list();
  }

  async resumeAll(): Promise<TransferInfo[]> {
    for (const id of this.transfers.keys()) await this.resume(id);
    return this.list();
  }

  /** Shutting down: running downloads are paused (kept resumable), listeners removed, pools closed. */
  async stop(): Promise<void> {
    this.options.paths.off('paths', this.onPaths);
    await Promise.all([...this.transfers.values()].map((t) => t.pause()));
    await this.pools.close();
  }
}

/** A login typed in the dashboard: for the file's site and each mirror's (none elsewhere). */
function dashboardAccess(url: string, mirrors: readonly string[], login: Login): DownloadAccess {
  return { headers: [], basic: login, cookies: [], mirrorSites: typedMirrorSites(url, mirrors, () => login) };
}
