import { randomUUID } from 'node:crypto';
import type { ContinuityEvent } from '../../common/contract.ts';

/** A continuity event as its maker knows it; the tracker adds the id, the time and the transfer. */
export type ContinuityReport = Omit<ContinuityEvent, 'id' | 'at' | 'transferId'> & { at?: number };

interface PendingContinuity {
  kind: 'failover' | 'handover';
  from: string;
  /** When the path last delivered a byte (performance.now()). */
  since: number;
  /** Resolved by the first byte of a fetch starting in [start, end) (a failover)… */
  start?: number;
  end?: number;
  /** …or by the first byte on this path (a handover). */
  to?: string;
  detail?: string;
}

/** A path out of service: its one entry, and whether a `path-lost` began it (then a restore ends it). */
interface Cut {
  event: ContinuityEvent;
  lost: boolean;
}

/** Failovers from one path this close to the first are the same cut, when no path-lost began it. */
const FAILOVER_MERGE_MS = 30_000;

/** A cap reached again this soon after it was said (its budget flickering) is not said again. */
const CAP_MERGE_MS = 60_000;

/**
 * A transfer's continuity events (ARCHITECTURE "Events"): failover, handover, path lost and
 * restored, restart, cap reached. A failover or handover is held back until its work's first byte
 * arrives on another path, so its `stallMs` says how long the download really waited: from the
 * failed path's last byte to that first byte elsewhere.
 *
 * One cut is one event: a path lost and the failovers of each of its connections' ranges are told
 * as one entry under one id (first as `path-lost`, then again as the `failover` saying where the
 * work went, with the longest stall and every byte lost), until the path is restored.
 */
export class ContinuityTracker {
  private readonly transferId: string;
  private readonly emit: (event: ContinuityEvent) => void;
  private pending: PendingContinuity[] = [];
  /** The entry of each path that is out now (lost, or its work moved), by path. */
  private readonly cuts = new Map<string, Cut>();
  /** When each path's cap was last said to be reached. */
  private readonly capsTold = new Map<string, number>();

  constructor(transferId: string, emit: (event: ContinuityEvent) => void) {
    this.transferId = transferId;
    this.emit = emit;
  }

  report(event: ContinuityReport): void {
    const told: ContinuityEvent = {
      id: randomUUID(),
      at: event.at ?? Date.now(),
      transferId: this.transferId,
      ...event,
    };
    if (event.kind === 'path-restored' && event.to) this.cuts.delete(event.to);
    if (event.kind === 'cap-reached' && event.from) {
      // A cap's budget flickers as reservations settle: reached again at once is the same event.
      const last = this.capsTold.get(event.from);
      this.capsTold.set(event.from, told.at);
      if (last !== undefined && told.at - last <= CAP_MERGE_MS) return;
    }
    const path = event.from;
    if ((event.kind === 'path-lost' || event.kind === 'failover') && path) {
      const cut = this.cuts.get(path);
      // A lost path's cut lasts until it is restored; a failover alone, for a moment.
      if (cut && (cut.lost || told.at - cut.event.at <= FAILOVER_MERGE_MS)) {
        return this.tellAgain(path, cut, told);
      }
      this.cuts.set(path, { event: told, lost: event.kind === 'path-lost' });
    }
    this.emit(told);
  }

  /** A path already out lost more (another connection, another range): its one entry grows. */
  private tellAgain(path: string, { event: cut, lost }: Cut, more: ContinuityEvent): void {
    if (more.kind === 'path-lost') {
      this.cuts.set(path, { event: cut, lost: true });
      return;
    }
    const merged: ContinuityEvent = {
      ...cut,
      kind: 'failover',
      // Work that went to more than one path went to "the other paths".
      to: cut.kind === 'failover' && cut.to !== more.to ? null : more.to,
      bytesLost: cut.bytesLost + more.bytesLost,
      stallMs: Math.max(cut.stallMs, more.stallMs),
    };
    const detail = cut.detail ?? more.detail;
    if (detail !== undefined) merged.detail = detail;
    this.cuts.set(path, { event: merged, lost });
    this.emit(merged);
  }

  /** Path `from` failed with [start, end) unfinished: reported when a fetch inside it brings a byte. */
  awaitFailover(from: string, since: number, start: number, end: number, detail: string): void {
    this.pending.push({
      kind: 'failover',
      from,
      since,
      start,
      end,
      detail,
    });
  }

  /** The download moves from path `from` to `to`: reported when `to` brings its first byte. */
  awaitHandover(from: string, to: string, since: number, detail: string): void {
    this.pending.push({
      kind: 'handover',
      from,
      to,
      since,
      detail,
    });
  }

  /** A fetch's first byte: reports the failovers and handovers it settles. */
  firstByte(fetch: { lane: string; start: number }): void {
    const now = performance.now();
    this.pending = this.pending.filter((p) => {
      const resolved =
        p.to !== undefined
          ? p.to === fetch.lane
          : p.start !== undefined && p.end !== undefined && fetch.start >= p.start && fetch.start < p.end;
      if (!resolved) return true;
      this.report({
        kind: p.kind,
        from: p.from,
        to: fetch.lane,
        bytesLost: 0,
        stallMs: Math.max(0, Math.round(now - p.since)),
        ...(p.detail ? { detail: p.detail } : {}),
      });
      return false;
    });
  }

  /** The download started over: nothing that was pending belongs to it any more. */
  clear(): void {
    this.pending = [];
    this.cuts.clear();
    this.capsTold.clear();
  }
}
