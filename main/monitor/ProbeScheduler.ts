import type { PathHealth, PathInfo, PathType } from '../../common/contract.ts';
import type { PathBytesEvent } from '../base/budget.ts';
import type { HealthProber } from '../network/HealthProber.ts';

/** Paths a probe never goes out on: they don't lead to the internet. */
export const NOT_PROBED: ReadonlySet<PathType> = new Set<PathType>(['loopback', 'virtual']);

interface ProbeState {
  timer: NodeJS.Timeout | undefined;
  dueAt: number;
  running: Promise<void> | undefined;
  lastAt: number;
}

/** What the scheduler needs of the monitor it serves. */
export interface ProbeHost {
  /** False once the monitor stopped: nothing new is scheduled. */
  running(): boolean;
  /** The path as the latest snapshot has it. */
  find(name: string): PathInfo | undefined;
  probeUrl(): string | undefined;
  intervalMs(): number;
  /** A probe moved bytes on a path (the ledger counts them as the app's own). */
  onBytes(event: PathBytesEvent): void;
  /** A fresh result is in `healthOf()`: rebuild the snapshot. */
  onHealth(): void;
}

/**
 * Health probes per path: one at a time per path, again every interval while the path is up,
 * sooner when asked (a path came up, the engine saw it stall, traffic got no answer). Keeps each
 * path's last health and the bytes its probes moved.
 */
export class ProbeScheduler {
  private readonly prober: HealthProber;
  private readonly host: ProbeHost;
  private readonly probes = new Map<string, ProbeState>();
  private readonly health = new Map<string, PathHealth>();
  private readonly totals = new Map<string, { sent: number; received: number }>();

  constructor(prober: HealthProber, host: ProbeHost) {
    this.prober = prober;
    this.host = host;
  }

  /** A monitor never probes the internet unless told where to, and never a local-only path. */
  probeable(path: PathInfo): boolean {
    return path.up && !NOT_PROBED.has(path.type) && this.host.probeUrl() !== undefined;
  }

  healthOf(name: string): PathHealth | undefined {
    return this.health.get(name);
  }

  bytesOf(name: string): { sent: number; received: number } | undefined {
    return this.totals.get(name);
  }

  /** The path went down or away: no probe until it is back, and its old health no longer holds. */
  forget(name: string): void {
    this.cancel(name);
    this.health.delete(name);
  }

  /** A probe now, unless one is running or ran in the last 3 s. */
  soon(name: string): void {
    const state = this.probes.get(name);
    if (state && (state.running || Date.now() - state.lastAt < 3000)) return;
    this.schedule(name, 0);
  }

  schedule(name: string, delayMs: number): void {
    if (!this.host.running()) return;
    const state = this.stateOf(name);
    const dueAt = Date.now() + delayMs;
    if (state.timer && state.dueAt <= dueAt) return;
    clearTimeout(state.timer);
    state.dueAt = dueAt;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      state.dueAt = Infinity;
      void this.run(name);
    }, delayMs);
    state.timer.unref();
  }

  /** Probes the path unless a probe of it is running already (then that one is awaited). */
  run(name: string, options: { retry?: boolean } = {}): Promise<void> {
    const state = this.stateOf(name);
    if (state.running) return state.running;
    state.running = this.probe(name, state, options).finally(() => {
      state.running = undefined;
      const path = this.host.find(name);
      if (this.host.running() && path && this.probeable(path)) this.schedule(name, this.host.intervalMs());
    });
    return state.running;
  }

  stop(): void {
    for (const state of this.probes.values()) clearTimeout(state.timer);
    this.probes.clear();
  }

  private async probe(name: string, state: ProbeState, options: { retry?: boolean }): Promise<void> {
    const path = this.host.find(name);
    if (!path || !this.probeable(path)) return;
    const addresses = path.addresses;
    const result = await this.prober.probe({ name, addresses }, options);
    state.lastAt = Date.now();
    const totals = this.totals.get(name) ?? { sent: 0, received: 0 };
    totals.sent += result.bytesSent;
    totals.received += result.bytesReceived;
    this.totals.set(name, totals);
    const at = Date.now();
    if (result.bytesSent > 0) this.host.onBytes(probeBytes(name, 'up', result.bytesSent, at));
    if (result.bytesReceived > 0) this.host.onBytes(probeBytes(name, 'down', result.bytesReceived, at));
    // The path may have gone down or changed address while the probe ran: that result is stale.
    const now = this.host.find(name);
    if (!now?.up || now.addresses.join() !== addresses.join()) return;
    this.health.set(name, result.health);
    this.host.onHealth();
  }

  private cancel(name: string): void {
    const state = this.probes.get(name);
    if (state) {
      clearTimeout(state.timer);
      state.timer = undefined;
    }
  }

  private stateOf(name: string): ProbeState {
    const state = this.probes.get(name) ?? {
      timer: undefined,
      dueAt: Infinity,
      running: undefined,
      lastAt: 0,
    };
    this.probes.set(name, state);
    return state;
  }
}

function probeBytes(path: string, direction: 'up' | 'down', bytes: number, at: number): PathBytesEvent {
  return { transferId: 'health-probe', path, direction, bytes, at };
}
