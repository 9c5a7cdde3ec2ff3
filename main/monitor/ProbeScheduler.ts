import type { PathHealth, PathInfo, PathType } from '../../common/contract.ts';
import type { PathBytesEvent } from '../base/budget.ts';
import type { HealthProber } from '../network/HealthProber.ts';

/** Paths a probe never goes out on: they don't lead to the internet. */
export const NOT_PROBED: ReadonlySet<PathType> = new Set<PathType>(['loopback', 'virtual']);

/** A frugal path's routine probes: at first this often (or the user's interval, if longer)… */
export const FRUGAL_FIRST_MS = 2 * 60_000;
/** …doubling while it stays good, up to this. */
export const FRUGAL_MAX_MS = 15 * 60_000;

/**
 * A path whose probes cost: metered (every byte is billed), or an LTE radio, the laptop's modem or
 * a phone's, which a probe on an idle path wakes for a promotion and a whole tail (~14 J in
 * Huang et al.'s model, for a probe of a few hundred bytes).
 */
export function frugal(path: PathInfo): boolean {
  return path.metered || path.type === 'cellular' || path.type === 'tether';
}

/**
 * When the next routine probe of a path is due after one that found it good `goodInARow` times
 * running (0: the last was not good, or something asked for a fresh look). Other paths: every
 * `intervalMs`. A frugal path backs off while it stays good: a failure while it carries traffic is
 * seen by the traffic itself (the engine's watchdog and the monitor's silent-path check ask for a
 * probe at once), so routine probes only judge an idle path, where each one wakes the radio.
 */
export function probeDelayMs(path: PathInfo, intervalMs: number, goodInARow: number): number {
  if (!frugal(path)) return intervalMs;
  const first = Math.max(intervalMs, FRUGAL_FIRST_MS);
  const backedOff = first * 2 ** Math.max(0, goodInARow - 1);
  return Math.min(backedOff, Math.max(intervalMs, FRUGAL_MAX_MS));
}

interface ProbeState {
  timer: NodeJS.Timeout | undefined;
  dueAt: number;
  running: Promise<void> | undefined;
  lastAt: number;
  /** Good results in a row since the last other one or the last reason to look afresh. */
  goodInARow: number;
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
 * Health probes per path: one at a time per path, again every interval while the path is up
 * (backing off on a frugal path while it stays good, see `probeDelayMs`), at once when asked (a
 * path came up or changed address, the engine saw it stall, traffic got no answer), which also
 * ends the back-off. Keeps each path's last health and the bytes its probes moved.
 *
 * A probe is already the smallest request that still tells a captive portal from the internet:
 * one GET of an empty 204 with no request body, on a connection closed after it (HealthProber);
 * a HEAD would save nothing on a 204 and would miss a portal's sign-in page.
 */
export class ProbeScheduler {
  private readonly prober: Pick<HealthProber, 'probe'>;
  private readonly host: ProbeHost;
  private readonly probes = new Map<string, ProbeState>();
  private readonly health = new Map<string, PathHealth>();
  private readonly totals = new Map<string, { sent: number; received: number }>();

  constructor(prober: Pick<HealthProber, 'probe'>, host: ProbeHost) {
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

  /** A probe now (a failure is suspected), unless one is running or ran in the last 3 s. */
  soon(name: string): void {
    const state = this.probes.get(name);
    if (state && (state.running || Date.now() - state.lastAt < 3000)) return;
    this.schedule(name, 0);
  }

  /** A probe in `delayMs` for a reason from outside (the link changed): the back-off starts over. */
  schedule(name: string, delayMs: number): void {
    this.stateOf(name).goodInARow = 0;
    this.arm(name, delayMs);
  }

  private arm(name: string, delayMs: number): void {
    if (!this.host.running()) return;
    const state = this.stateOf(name);
    const dueAt = Date.now() + delayMs;
    if (state.timer && state.dueAt <= dueAt) return;
    clearTimeout(state.timer);
    state.dueAt = dueAt;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      state.dueAt = Infinity;
      void this.start(name);
    }, delayMs);
    state.timer.unref();
  }

  /**
   * Probes the path now (the engine saw it stall; the command line asks) unless a probe of it is
   * running already (then that one is awaited); the back-off starts over.
   */
  run(name: string, options: { retry?: boolean } = {}): Promise<void> {
    const state = this.stateOf(name);
    if (!state.running) state.goodInARow = 0;
    return this.start(name, options);
  }

  private start(name: string, options: { retry?: boolean } = {}): Promise<void> {
    const state = this.stateOf(name);
    if (state.running) return state.running;
    state.running = this.probe(name, state, options).finally(() => {
      state.running = undefined;
      const path = this.host.find(name);
      if (this.host.running() && path && this.probeable(path)) {
        this.arm(name, probeDelayMs(path, this.host.intervalMs(), state.goodInARow));
      }
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
    state.goodInARow = result.health.status === 'good' ? state.goodInARow + 1 : 0;
    this.health.set(name, result.health);
    this.host.onHealth();
  }

  private cancel(name: string): void {
    const state = this.probes.get(name);
    if (state) {
      clearTimeout(state.timer);
      state.timer = undefined;
      state.dueAt = Infinity;
      state.goodInARow = 0;
    }
  }

  private stateOf(name: string): ProbeState {
    const state = this.probes.get(name) ?? {
      timer: undefined,
      dueAt: Infinity,
      running: undefined,
      lastAt: 0,
      goodInARow: 0,
    };
    this.probes.set(name, state);
    return state;
  }
}

function probeBytes(path: string, direction: 'up' | 'down', bytes: number, at: number): PathBytesEvent {
  return { transferId: 'health-probe', path, direction, bytes, at };
}
