/**
 * Checks, on every OS, that a path's bytes really went through its interface: the engine's
 * payload bytes on the path are compared with the interface's own counters over the same window.
 * A correctly bound path shows at least its payload on the interface (headers and other traffic
 * of the machine only add); a path whose traffic left through another interface shows almost
 * nothing. Such a path is "unverified" and must not count as a separate path for aggregation or
 * caps.
 *
 * Use: `await verifier.track(path, device)` before the path carries traffic (reads the baseline),
 * `verifier.record(path, bytes)` for every payload byte the engine moves on it (either direction),
 * `verifier.start()` to check every second (or call `check()`), and listen for `change`.
 *
 * Windows start clean — at track(), or after the path has been idle, when nothing of it can still
 * sit in socket buffers — and grow while the path is busy, so bytes counted by the interface in
 * one window but read by the engine in the next never make a good path look bad. A verdict stays
 * until a later window decides otherwise. Limits: traffic of other programs on the interface can
 * hide a misrouted path (it only adds), and a transfer paused with unread data buffered, then
 * resumed, can read more than the interface shows in the window that follows; call track() again
 * when a path starts afresh.
 */
import { EventEmitter } from 'node:events';
import { defaultInterfaceCounters, type InterfaceCounters } from '../network/interfaceCounters.ts';

export type Verdict = boolean | null;

export interface VerifierThresholds {
  /** Payload a window needs before it can decide (smaller windows say null: not enough data). */
  minBytes: number;
  /** Share of the payload the interface must show. */
  ratio: number;
}

export const DEFAULT_THRESHOLDS: VerifierThresholds = { minBytes: 1 << 20, ratio: 0.9 };

/** The decision for one window: null until enough payload, then whether the interface carried it. */
export function judgeWindow(
  payloadBytes: number,
  interfaceBytes: number,
  thresholds: VerifierThresholds = DEFAULT_THRESHOLDS,
): Verdict {
  if (payloadBytes < thresholds.minBytes) return null;
  return interfaceBytes >= thresholds.ratio * payloadBytes;
}

export interface PathVerification {
  path: string;
  device: string;
  verified: Verdict;
  /** The engine's payload bytes in the window that decided (or the current one, while undecided). */
  payloadBytes: number;
  /** rx + tx bytes the interface counted in that window. */
  interfaceBytes: number;
  at: number;
}

export interface PathVerifierOptions {
  counters?: InterfaceCounters;
  thresholds?: Partial<VerifierThresholds>;
  intervalMs?: number;
  /** A path with no payload for this long starts a fresh window at the next check. */
  idleMs?: number;
  /** An undecided window older than this is dropped when the path is idle (stale cross-traffic). */
  staleMs?: number;
  now?: () => number;
}

interface Tracked {
  device: string;
  payloadTotal: number;
  lastPayloadAt: number;
  payloadAtLastCheck: number;
  window: { payload: number; counter: number; startedAt: number } | null;
  result: PathVerification;
}

interface PathVerifierEvents {
  change: [PathVerification];
}

export class PathVerifier extends EventEmitter<PathVerifierEvents> {
  private readonly counters: InterfaceCounters;
  private readonly thresholds: VerifierThresholds;
  private readonly intervalMs: number;
  private readonly idleMs: number;
  private readonly staleMs: number;
  private readonly now: () => number;
  private readonly paths = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<PathVerification[]> | undefined;

  constructor(options: PathVerifierOptions = {}) {
    super();
    this.counters = options.counters ?? defaultInterfaceCounters();
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
    this.intervalMs = options.intervalMs ?? 1000;
    this.idleMs = options.idleMs ?? 2000;
    this.staleMs = options.staleMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Starts watching a path (or starts a fresh window for one already watched) from the
   * interface's current counters. Call it before the path carries traffic.
   */
  async track(path: string, device: string): Promise<void> {
    let tracked = this.paths.get(path);
    if (!tracked || tracked.device !== device) {
      tracked = {
        device,
        payloadTotal: 0,
        lastPayloadAt: 0,
        payloadAtLastCheck: 0,
        window: null,
        result: { path, device, verified: null, payloadBytes: 0, interfaceBytes: 0, at: this.now() },
      };
      this.paths.set(path, tracked);
    }
    const entry = tracked;
    entry.window = null;
    const sample = await this.counters.read(device);
    if (sample && this.paths.get(path) === entry) {
      entry.window = { payload: entry.payloadTotal, counter: sample.rx + sample.tx, startedAt: this.now() };
    }
  }

  untrack(path: string): void {
    this.paths.delete(path);
  }

  /** Payload bytes the engine moved on a path (down or up). */
  record(path: string, bytes: number): void {
    const tracked = this.paths.get(path);
    if (!tracked || bytes <= 0) return;
    tracked.payloadTotal += bytes;
    tracked.lastPayloadAt = this.now();
  }

  verdict(path: string): Verdict {
    return this.paths.get(path)?.result.verified ?? null;
  }

  snapshot(): PathVerification[] {
    return [...this.paths.values()].map((t) => ({ ...t.result }));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads every tracked interface once and judges its current window; emits `change` on news. */
  check(): Promise<PathVerification[]> {
    this.checking ??= this.checkAll().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkAll(): Promise<PathVerification[]> {
    const entries = [...this.paths.entries()];
    const samples = await Promise.all(entries.map(([, t]) => this.counters.read(t.device)));
    const now = this.now();
    for (const [index, [path, tracked]] of entries.entries()) {
      const sample = samples[index];
      if (!sample || this.paths.get(path) !== tracked) continue;
      const counter = sample.rx + sample.tx;
      const { window } = tracked;
      const idle =
        tracked.payloadTotal === tracked.payloadAtLastCheck && now - tracked.lastPayloadAt >= this.idleMs;
      tracked.payloadAtLastCheck = tracked.payloadTotal;
      if (!window || counter < window.counter) {
        // No baseline yet, or the counters were reset (device re-created): start clean when idle.
        if (idle) tracked.window = { payload: tracked.payloadTotal, counter, startedAt: now };
        continue;
      }
      const payloadBytes = tracked.payloadTotal - window.payload;
      const interfaceBytes = counter - window.counter;
      const verified = judgeWindow(payloadBytes, interfaceBytes, this.thresholds);
      if (verified !== null) {
        const changed = verified !== tracked.result.verified;
        tracked.result = { path, device: tracked.device, verified, payloadBytes, interfaceBytes, at: now };
        if (changed) this.emit('change', { ...tracked.result });
      } else if (tracked.result.verified === null) {
        tracked.result = { ...tracked.result, payloadBytes, interfaceBytes, at: now };
      }
      const decided = verified !== null;
      if (idle && (decided || now - window.startedAt >= this.staleMs)) {
        tracked.window = { payload: tracked.payloadTotal, counter, startedAt: now };
      }
    }
    return this.snapshot();
  }
}
