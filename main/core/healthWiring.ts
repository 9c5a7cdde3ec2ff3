import type { ContinuityEvent, PathEvent, PathInfo, TransferInfo } from '../../common/contract.ts';
import type { PathHandshake } from '../engine/pathAgent.ts';
import { TransferErrorCodes } from '../engine/transferErrors.ts';
import type { LedgerEvent } from '../ledger/eventAlerts.ts';
import { HealthTimeline } from '../monitor/HealthTimeline.ts';
import type { TransferSample } from '../monitor/ThroughputJudge.ts';
import type { PathwiseService } from './PathwiseService.ts';

/**
 * The engine's error codes that say a path failed under a download (no data, no answer in time, a
 * connection torn down), rather than the server, the disk or the monitor's own word (a link down).
 */
const PATH_TROUBLE = new Set<string>([
  TransferErrorCodes.stalled,
  TransferErrorCodes.timeout,
  TransferErrorCodes.connectionLost,
  TransferErrorCodes.network,
]);

/** A source of downloads: the app's own and the ones `pathwise get` handed over. */
export interface DownloadSource {
  list(): TransferInfo[];
  on(event: 'continuity', listener: (event: ContinuityEvent) => void): unknown;
}

/** What the health verdict needs of the monitor (PathMonitor). */
export interface HealthSink {
  snapshot(): PathInfo[];
  suspect(name: string, reason: string, at?: number): void;
  engineRecovered(name: string): void;
  engineHandshake(name: string, ms: number): void;
  sampleTransfersFrom(source: () => TransferSample[]): void;
}

/** Where the engine's pools tell each connection's TCP handshake (pathAgent's `socketHandshakes`). */
export interface HandshakeSource {
  on(event: 'handshake', listener: (handshake: PathHandshake) => void): unknown;
  off(event: 'handshake', listener: (handshake: PathHandshake) => void): unknown;
}

export interface HealthParts {
  monitor: HealthSink;
  downloads: readonly DownloadSource[];
  /** Where the "moved onto a metered path" alert goes; null when usage tracking is off. */
  ledger: { recordEvent(event: LedgerEvent): unknown } | null;
  /** The engine's handshakes, heard while `service` runs (both or neither). */
  handshakes?: HandshakeSource;
  service?: Pick<PathwiseService, 'register'>;
}

/**
 * One health verdict per path for the engine and the monitor (issue 23): a path the engine lost
 * (stall, timeout) is suspect in the monitor at once; a path the engine got through again is
 * probed at once; what each download gets over each path feeds the throughput verdict each
 * second, and how long its connections take to open, the RTT verdict; and work moved off a
 * degraded or dead path onto a metered one raises an alert.
 */
export function wireHealth({ monitor, downloads, ledger, handshakes, service }: HealthParts): void {
  if (handshakes && service) {
    const heard = (handshake: PathHandshake): void => monitor.engineHandshake(handshake.path, handshake.ms);
    service.register(
      {},
      {
        start: () => void handshakes.on('handshake', heard),
        stop: () => void handshakes.off('handshake', heard),
      },
    );
  }
  monitor.sampleTransfersFrom(() => downloads.flatMap((source) => transferSamples(source.list())));
  for (const source of downloads) {
    source.on('continuity', (event) => {
      const trouble = pathTrouble(event);
      if (trouble) monitor.suspect(trouble.path, trouble.reason, event.at);
      if (event.kind === 'path-restored' && event.to) monitor.engineRecovered(event.to);
      const moved = movedToMetered(event, monitor.snapshot());
      if (moved) ledger?.recordEvent(moved);
    });
  }
}

/**
 * Health changes on the continuity timeline: each path's trouble (suspect → offline → up, weak,
 * behind a portal) one entry, pushed as it goes on; `continuity.list` adds the timeline's entries
 * to the engine's (engineWiring.ts).
 */
export function followHealth(
  service: Pick<PathwiseService, 'publish'>,
  monitor: { on(event: 'event', listener: (event: PathEvent) => void): unknown },
): HealthTimeline {
  const timeline = new HealthTimeline((entry) => service.publish('continuity', entry));
  monitor.on('event', (event) => timeline.observe(event));
  return timeline;
}

/** A continuity event that says the engine lost a path to a stall or timeout: which, and why. */
export function pathTrouble(event: ContinuityEvent): { path: string; reason: string } | null {
  if (event.kind !== 'path-lost' && event.kind !== 'failover') return null;
  if (!event.from || !event.code || !PATH_TROUBLE.has(event.code)) return null;
  return { path: event.from, reason: event.detail ?? `The engine lost ${event.from} (${event.code}).` };
}

/** Each running download's rate on each of its paths, and whether it had requests in flight there. */
export function transferSamples(transfers: readonly TransferInfo[]): TransferSample[] {
  return transfers
    .filter((t) => t.state === 'running')
    .flatMap((t) =>
      Object.entries(t.paths).map(([path, p]) => ({
        transferId: t.id,
        path,
        rate: p.rate,
        busy: p.state === 'active',
      })),
    );
}

/**
 * A handover or failover off a path the verdict calls degraded, suspect or offline (or that the
 * engine lost: a failover) onto a metered path: the alert the user should see.
 */
export function movedToMetered(event: ContinuityEvent, paths: readonly PathInfo[]): LedgerEvent | null {
  if ((event.kind !== 'handover' && event.kind !== 'failover') || !event.from || !event.to) return null;
  const from = paths.find((p) => p.name === event.from);
  const to = paths.find((p) => p.name === event.to);
  if (!from || !to?.metered) return null;
  const status = from.health?.status;
  const dead = event.kind === 'failover' || !from.up || status === 'offline' || status === 'suspect';
  if (!dead && status !== 'degraded') return null;
  const detail = from.up ? from.health?.detail : 'its link is down';
  return {
    kind: 'metered-fallback',
    from: from.name,
    to: to.name,
    why: dead ? 'dead' : 'degraded',
    ...(detail ? { detail } : {}),
  };
}
