import type { PathHealth, PathInfo, PathType } from '../../common/contract.ts';
import type { PathBytesEvent } from '../base/budget.ts';
import type { HealthProber, ProbeCall } from '../network/HealthProber.ts';
import { formatRate } from '../../common/format.ts';
import {
  ALIVE_RX_BPS,
  BATTERY_MAX_MS,
  DEGRADED_RECHECK_MS,
  FLAPPY_PROBE_MS,
  FRUGAL_BATTERY_MAX_MS,
  FRUGAL_RECHECK_MS,
  PORTAL_RECHECK_MS,
  RECOVERY_FAST_FOR_MS,
  RECOVERY_PROBE_MS,
  SHORT_PROBE_MAX_MS,
  SHORT_PROBE_MIN_MS,
  SHORT_PROBE_RTTS,
} from './healthRules.ts';
import { HealthVerdicts, type ProbeKind } from './HealthVerdicts.ts';

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
 * `intervalMs`, or on battery from there doubling up to BATTERY_MAX_MS. A frugal path backs off
 * while it stays good (further on battery): a failure while it carries traffic is seen by the
 * traffic itself (the engine's watchdog and the monitor's silent-path check make it suspect at
 * once), so routine probes only judge an idle path, where each one wakes the radio.
 */
export function probeDelayMs(
  path: PathInfo,
  intervalMs: number,
  goodInARow: number,
  onBattery = false,
): number {
  const doublings = 2 ** Math.max(0, goodInARow - 1);
  if (!frugal(path)) {
    if (!onBattery) return intervalMs;
    return Math.min(intervalMs * doublings, Math.max(intervalMs, BATTERY_MAX_MS));
  }
  const first = Math.max(intervalMs, FRUGAL_FIRST_MS);
  const max = onBattery ? FRUGAL_BATTERY_MAX_MS : FRUGAL_MAX_MS;
  return Math.min(first * doublings, Math.max(intervalMs, max));
}

/**
 * A confirming or recovery probe's deadline: SHORT_PROBE_RTTS of the path's last handshake time,
 * within SHORT_PROBE_MIN_MS…SHORT_PROBE_MAX_MS.
 */
export function shortProbeMs(rttMs: number | null): number {
  return Math.min(SHORT_PROBE_MAX_MS, Math.max(SHORT_PROBE_MIN_MS, SHORT_PROBE_RTTS * (rttMs ?? 0)));
}

/**
 * While offline with the link up: every RECOVERY_PROBE_MS for RECOVERY_FAST_FOR_MS, then a pause
 * half as long as the time since, up to the path's routine delay; FLAPPY_PROBE_MS while it flaps.
 */
export function recoveryDelayMs(offlineForMs: number, routineMs: number, flapping: boolean): number {
  if (flapping) return FLAPPY_PROBE_MS;
  if (offlineForMs < RECOVERY_FAST_FOR_MS) return RECOVERY_PROBE_MS;
  return Math.min(routineMs, Math.max(RECOVERY_PROBE_MS, (offlineForMs - RECOVERY_FAST_FOR_MS) / 2));
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
  /** Running on battery: routine probes back off (see probeDelayMs). */
  onBattery?(): boolean;
  /** The path's interface's receive counter now (bytes), if it can be read at once (Linux). */
  rxBytes?(name: string): number | undefined;
  /** A suspect path turned out slow, not dead (see HealthVerdicts.slowNotDead). */
  onSlow?(name: string, reason: string): void;
  /** A probe moved bytes on a path (the ledger counts them as the app's own). */
  onBytes(event: PathBytesEvent): void;
  /** A fresh verdict is in `healthOf()`: rebuild the snapshot. */
  onHealth(): void;
}

/**
 * Health probes per path: one at a time per path, again every interval while the path is up
 * (backing off on a frugal path and on battery while it stays good, see `probeDelayMs`), at once
 * and short when the path is suspect (the engine saw it stall, traffic got no answer, a probe got
 * none), often while it is offline with its link up (to see it back within ~2 s), and every few
 * seconds while it is degraded or behind a portal. Every result goes to the path's verdict
 * (`HealthVerdicts`), which decides what the path is; bytes are counted per path.
 *
 * A probe is already the smallest request that still tells a captive portal from the internet:
 * one GET of an empty 204 with no request body, on a connection closed after it (HealthProber);
 * a HEAD would save nothing on a 204 and would miss a portal's sign-in page.
 */
export class ProbeScheduler {
  readonly verdicts: HealthVerdicts;
  private readonly prober: Pick<HealthProber, 'probe'>;
  private readonly host: ProbeHost;
  private readonly probes = new Map<string, ProbeState>();
  private readonly totals = new Map<string, { sent: number; received: number }>();

  constructor(prober: Pick<HealthProber, 'probe'>, host: ProbeHost, verdicts = new HealthVerdicts()) {
    this.prober = prober;
    this.host = host;
    this.verdicts = verdicts;
  }

  /** A monitor never probes the internet unless told where to, and never a local-only path. */
  probeable(path: PathInfo): boolean {
    return path.up && !NOT_PROBED.has(path.type) && this.host.probeUrl() !== undefined;
  }

  healthOf(name: string): PathHealth | undefined {
    return this.verdicts.healthOf(name);
  }

  bytesOf(name: string): { sent: number; received: number } | undefined {
    return this.totals.get(name);
  }

  /** The path went down or away: no probe until it is back, and its old verdict no longer holds. */
  forget(name: string): void {
    this.cancel(name);
    this.verdicts.forget(name);
  }

  /**
   * Evidence that the path failed (the engine's stall or timeout, traffic with no answer): it is
   * suspect, and a short probe confirms or clears it now. False when the verdict ignored it.
   */
  suspect(name: string, reason: string, at: number = Date.now()): boolean {
    if (!this.verdicts.suspect(name, reason, at, Date.now())) return false;
    this.confirmNow(name);
    return true;
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

  /** A probe at once; one running now is followed by another as soon as it ends (see start). */
  private confirmNow(name: string): void {
    const state = this.stateOf(name);
    state.goodInARow = 0;
    if (!state.running) this.arm(name, 0);
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
   * Probes the path now (the engine's recovery probe got through; the command line asks) unless a
   * probe of it is running already (then that one is awaited); the back-off starts over. With
   * `once`, its answer is the verdict (the one-shot command line: no time for a second look).
   */
  run(name: string, options: { once?: boolean; retry?: boolean } = {}): Promise<void> {
    const state = this.stateOf(name);
    if (!state.running) state.goodInARow = 0;
    return this.start(name, options.once || options.retry === false ? 'once' : undefined);
  }

  private start(name: string, forced?: ProbeKind): Promise<void> {
    const state = this.stateOf(name);
    if (state.running) return state.running;
    state.running = this.probe(name, state, forced).finally(() => {
      state.running = undefined;
      const path = this.host.find(name);
      if (this.host.running() && path && this.probeable(path)) this.arm(name, this.nextDelay(path, state));
    });
    return state.running;
  }

  stop(): void {
    for (const state of this.probes.values()) clearTimeout(state.timer);
    this.probes.clear();
  }

  /** What the verdict asks for next: a confirmation at once, recovery probes, rechecks, or the routine. */
  private nextDelay(path: PathInfo, state: ProbeState): number {
    const interval = this.host.intervalMs();
    const routine = probeDelayMs(path, interval, state.goodInARow, this.host.onBattery?.() ?? false);
    const now = Date.now();
    const recheck = (ms: number): number =>
      frugal(path)
        ? Math.max(Math.min(routine, FRUGAL_RECHECK_MS), Math.min(interval, ms))
        : Math.min(interval, ms);
    switch (this.verdicts.statusOf(path.name)) {
      case 'suspect':
        return 0;
      case 'offline':
        return recoveryDelayMs(
          this.verdicts.offlineFor(path.name, now),
          routine,
          this.verdicts.flapping(path.name, now),
        );
      case 'captive':
        return recheck(PORTAL_RECHECK_MS);
      default:
        return this.verdicts.unsettled(path.name) ? recheck(DEGRADED_RECHECK_MS) : routine;
    }
  }

  private kindOf(name: string): ProbeKind {
    const status = this.verdicts.statusOf(name);
    return status === 'suspect' ? 'confirm' : status === 'offline' ? 'recovery' : 'routine';
  }

  private async probe(name: string, state: ProbeState, forced: ProbeKind | undefined): Promise<void> {
    const path = this.host.find(name);
    if (!path || !this.probeable(path)) return;
    const addresses = path.addresses;
    const kind = forced ?? this.kindOf(name);
    const call: ProbeCall = { retry: false };
    if (kind === 'confirm' || kind === 'recovery') call.timeoutMs = shortProbeMs(this.verdicts.lastRtt(name));
    const startedAt = Date.now();
    const rxBefore = kind === 'confirm' ? this.host.rxBytes?.(name) : undefined;
    const result = await this.prober.probe({ name, addresses }, call);
    state.lastAt = Date.now();
    this.count(name, result.bytesSent, result.bytesReceived);
    // The path may have gone down or changed address while the probe ran: that result is stale.
    const now = this.host.find(name);
    if (!now?.up || now.addresses.join() !== addresses.join()) return;
    const receiving = this.receivedSince(name, rxBefore, startedAt);
    if (result.health.status === 'offline' && receiving >= ALIVE_RX_BPS) {
      const waited = (call.timeoutMs ?? 0) / 1000;
      const reason = `Slow: a probe got no answer within ${waited} s while ${formatRate(receiving)} still arrive over ${name}.`;
      this.verdicts.slowNotDead(name, reason, Date.now());
      this.host.onSlow?.(name, reason);
    } else {
      // A probe that could not leave (no address yet) lost no packet: its answer-less end is no loss.
      this.verdicts.probed(name, result.health, kind, startedAt, Date.now(), result.bytesSent > 0);
    }
    state.goodInARow = this.verdicts.statusOf(name) === 'good' ? state.goodInARow + 1 : 0;
    this.host.onHealth();
  }

  /** What the interface received per second while a confirming probe waited (0 when unknown). */
  private receivedSince(name: string, before: number | undefined, startedAt: number): number {
    const after = before === undefined ? undefined : this.host.rxBytes?.(name);
    if (before === undefined || after === undefined || after < before) return 0;
    return ((after - before) * 1000) / Math.max(1, Date.now() - startedAt);
  }

  private count(name: string, sent: number, received: number): void {
    const totals = this.totals.get(name) ?? { sent: 0, received: 0 };
    totals.sent += sent;
    totals.received += received;
    this.totals.set(name, totals);
    const at = Date.now();
    if (sent > 0) this.host.onBytes(probeBytes(name, 'up', sent, at));
    if (received > 0) this.host.onBytes(probeBytes(name, 'down', received, at));
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
