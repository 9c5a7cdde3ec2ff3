import { EventEmitter } from 'node:events';
import type { ContinuityEvent, TransferInfo, TransferMode } from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';
import type { PathBytesEvent } from '../base/budget.ts';
import type { MirrorOptions } from '../engine/MirrorSource.ts';
import { createPathAgent, type PathAgentFactory } from '../engine/pathAgent.ts';
import { SharedPathPools } from '../engine/pathPools.ts';
import type { PathLimits } from '../engine/PathLimits.ts';
import type { DownloadAccess } from '../engine/requestAuth.ts';
import { Transfer, type TransferOutcome, type TransferTuning } from '../engine/Transfer.ts';
import type { PathSource } from '../engine/TransferManager.ts';
import type { ProxySettings } from '../network/proxySettings.ts';
import { downloadPaths } from './downloadPaths.ts';

/**
 * A `pathwise get` handed to the running app: everything the command line would have asked of
 * its own engine, so the download behaves (and ends, and says so) exactly as it would have there.
 */
export interface HandedRequest {
  url: string;
  /** The final file's full path (-o FILE)… */
  file?: string | undefined;
  /** …or the folder it goes in, under the server's name. */
  directory?: string | undefined;
  mode: TransferMode;
  /** --paths as given (NAME or NAME=ADDRESS, in order); null for the policy's paths. */
  paths: string[] | null;
  caps: Record<string, number>;
  sha256?: string | undefined;
  connections?: number | undefined;
  /** What the download sends to be allowed (--header, --user, cookies): held in memory only. */
  access?: DownloadAccess | undefined;
  /** The file's other URLs, and a Metalink's size and piece hashes. */
  mirrors?: MirrorOptions | undefined;
  /** A Metalink's name for the file. */
  fileName?: string | undefined;
  /** Follow a Metalink the URL's server names by its Content-Type (TransferOptions.followMetalink). */
  followMetalink?: boolean | undefined;
  /** The command's own proxies (its environment named one), instead of the app's: in memory only. */
  proxy?: ProxySettings | undefined;
}

interface HandedEvents {
  changed: [];
  continuity: [ContinuityEvent];
  bytes: [PathBytesEvent];
}

export interface HandedTransfersOptions {
  paths: PathSource;
  /** The engine's limits: handed downloads share the app's budgets and rate limits. */
  limits: PathLimits;
  agentFactory: PathAgentFactory;
  /** Pools like `agentFactory`'s through other proxies (PathBinder.agentFactoryWith). */
  agentFactoryWith?: (proxy: ProxySettings) => PathAgentFactory;
  env?: NodeJS.ProcessEnv;
}

interface Handed {
  transfer: Transfer;
  request: HandedRequest;
  /** A download through its command's own proxies has pools of its own; closed when it ends. */
  pools: SharedPathPools | null;
}

const CONTINUITY_KEPT = 500;

/**
 * The downloads command lines handed to this app (main/host/HandoffServer.ts). Each is a Transfer
 * built from the command's own options (its file, --paths, --cap, --connections, failing at a cap
 * as the CLI does) on the app's paths, limits and binder; they are listed, paused, resumed and
 * cancelled with the app's own downloads (engineWiring.ts), and their bytes, events and outcomes
 * reach the ledger and the UI the same way (ledgerWiring.ts).
 */
export class HandedTransfers extends EventEmitter<HandedEvents> {
  private readonly options: HandedTransfersOptions;
  private readonly transfers = new Map<string, Handed>();
  private readonly timeline: ContinuityEvent[] = [];
  private readonly pools: SharedPathPools;
  private readonly onPaths = (): void => {
    for (const { transfer, request } of this.transfers.values()) transfer.updatePaths(this.pathsOf(request));
  };

  constructor(options: HandedTransfersOptions) {
    super();
    this.options = options;
    this.pools = new SharedPathPools(options.agentFactory);
    options.paths.on('paths', this.onPaths);
  }

  /**
   * Builds the download and runs it. `attach` sees the transfer before it runs, so a listener it
   * adds misses none of its events; the promise is how this run ends.
   */
  start(
    request: HandedRequest,
    attach: (transfer: Transfer) => void = () => undefined,
  ): { transfer: Transfer; outcome: Promise<TransferOutcome> } {
    const ownPools = request.proxy ? this.poolsThrough(request.proxy) : null;
    const transfer = new Transfer({
      url: request.url,
      ...(request.file ? { file: request.file } : { directory: request.directory ?? '.' }),
      mode: request.mode,
      paths: this.pathsOf(request),
      allowedPaths: request.paths ? request.paths.map((spec) => spec.split('=')[0] as string) : null,
      caps: request.caps,
      ...(request.sha256 ? { sha256: request.sha256 } : {}),
      limits: this.options.limits,
      whenCapped: 'fail',
      tuning: this.tuning(request),
      ...(ownPools ? ownPools : { agentFactory: this.options.agentFactory, pools: this.pools }),
      ...(request.access ? { access: request.access } : {}),
      ...(request.mirrors ? { mirrors: request.mirrors } : {}),
      ...(request.fileName ? { fileName: request.fileName } : {}),
      ...(request.followMetalink ? { followMetalink: true } : {}),
    });
    const entry: Handed = { transfer, request, pools: ownPools?.pools ?? null };
    this.transfers.set(transfer.id, entry);
    transfer.on('bytes', (event) => this.emit('bytes', event));
    transfer.on('continuity', (event) => {
      this.timeline.push(event);
      if (this.timeline.length > CONTINUITY_KEPT) this.timeline.shift();
      this.emit('continuity', event);
    });
    transfer.on('change', () => this.emit('changed'));
    attach(transfer);
    const outcome = this.run(entry);
    this.emit('changed');
    return { transfer, outcome };
  }

  has(id: string): boolean {
    return this.transfers.has(id);
  }

  list(): TransferInfo[] {
    return [...this.transfers.values()].map(({ transfer }) => transfer.info());
  }

  continuity(): ContinuityEvent[] {
    return [...this.timeline];
  }

  get running(): boolean {
    return [...this.transfers.values()].some(
      ({ transfer }) => transfer.currentState === 'running' || transfer.currentState === 'probing',
    );
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

  /** Runs it again from its part file, on the paths as they are now. */
  async resume(id: string): Promise<TransferInfo> {
    const entry = this.transfers.get(id);
    if (!entry) throw notFound(id);
    const state = entry.transfer.currentState;
    if (state === 'paused' || state === 'failed' || state === 'queued') {
      entry.transfer.updatePaths(this.pathsOf(entry.request));
      void this.run(entry);
    }
    return entry.transfer.info();
  }

  async pauseAll(): Promise<void> {
    await Promise.all([...this.transfers.values()].map(({ transfer }) => transfer.pause()));
  }

  async resumeAll(): Promise<void> {
    for (const id of this.transfers.keys()) await this.resume(id);
  }

  /** Shutting down: every download paused (kept resumable), the pools closed. */
  async stop(): Promise<void> {
    this.options.paths.off('paths', this.onPaths);
    await this.pauseAll();
    await Promise.all(
      [this.pools, ...[...this.transfers.values()].map((e) => e.pools)].map((p) => p?.close()),
    );
  }

  /** A run of the download; pools of its own are closed once it is done or cancelled. */
  private run(entry: Handed): Promise<TransferOutcome> {
    const outcome = entry.transfer.run();
    if (entry.pools) {
      const pools = entry.pools;
      void outcome.then(
        (result) => {
          // Made again if it runs once more (SharedPathPools opens what it lacks).
          if (result.status === 'done' || result.status === 'cancelled') void pools.close();
        },
        () => undefined,
      );
    }
    return outcome;
  }

  /** Pools through the command's own proxies, bound as the app's are. */
  private poolsThrough(proxy: ProxySettings): { agentFactory: PathAgentFactory; pools: SharedPathPools } {
    const agentFactory =
      this.options.agentFactoryWith?.(proxy) ??
      ((path: Parameters<PathAgentFactory>[0]) => createPathAgent(path, null, { proxy }));
    return { agentFactory, pools: new SharedPathPools(agentFactory) };
  }

  private get(id: string): Transfer {
    const entry = this.transfers.get(id);
    if (!entry) throw notFound(id);
    return entry.transfer;
  }

  private pathsOf(request: HandedRequest): ReturnType<typeof downloadPaths> {
    return downloadPaths(request, this.options.paths.snapshot());
  }

  private tuning(request: HandedRequest): Partial<TransferTuning> {
    const tuning: Partial<TransferTuning> = {};
    if (request.connections) tuning.connectionsPerPath = request.connections;
    // As `pathwise get` reads it: tests shorten the give-up time; not a user-facing option.
    const giveUp = Number((this.options.env ?? process.env)['PATHWISE_GIVE_UP_MS']);
    if (Number.isFinite(giveUp) && giveUp > 0) tuning.giveUpMs = giveUp;
    return tuning;
  }
}

function notFound(id: string): PathwiseError {
  return new PathwiseError('E_NOT_FOUND', `There is no transfer ${id}; it may have been removed.`);
}
