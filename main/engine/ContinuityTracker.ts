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

/**
 * A transfer's continuity events (ARCHITECTURE "Events"): failover, handover, path lost and
 * restored, restart, cap reached. A failover or handover is held back until its work's first byte
 * arrives on another path, so its `stallMs` says how long the download really waited: from the
 * failed path's last byte to that first byte elsewhere.
 */
export class ContinuityTracker {
  private readonly transferId: string;
  private readonly emit: (event: ContinuityEvent) => void;
  private pending: PendingContinuity[] = [];

  constructor(transferId: string, emit: (event: ContinuityEvent) => void) {
    this.transferId = transferId;
    this.emit = emit;
  }

  report(event: ContinuityReport): void {
    this.emit({
      id: randomUUID(),
      at: event.at ?? Date.now(),
      transferId: this.transferId,
      ...event,
    });
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
  }
}
