import type { HealthStatus, PathHealth } from '../../common/contract.ts';
import {
  CLEAN_PROBES_TO_RECOVER,
  DEGRADED_RTT_MS,
  FAST_HANDSHAKES_TO_RECOVER,
  FLAP_WINDOW_MS,
  FLAPS_BEFORE_STRICT,
  RECOVERED_RTT_MS,
  RECOVERY_PROBES_FLAPPY,
  SLOW_HANDSHAKES_TO_DEGRADE,
  SLOW_PROBES_TO_DEGRADE,
} from './healthRules.ts';

/**
 * Why a probe ran: `routine` (the interval), `confirm` (the path is suspect), `recovery` (it is
 * offline with its link up), `once` (the one-shot command line: its one answer is the verdict).
 */
export type ProbeKind = 'routine' | 'confirm' | 'recovery' | 'once';

/**
 * What makes an answering path degraded; each has its own way back (see healthRules.ts).
 * `handshake`: the engine's connections were slow to open.
 */
export type DegradedCause = 'rtt' | 'loss' | 'probe' | 'throughput' | 'handshake';

interface Suspicion {
  reason: string;
  /** When the evidence arose (the engine's stall, the unanswered probe). */
  at: number;
  /** Raised by a probe that got no answer (an answer to the next one means a lost probe). */
  byProbe: boolean;
}

interface Verdict {
  /** What probes last said about reaching the internet. */
  reach: 'unknown' | 'good' | 'offline' | 'captive';
  reachDetail: string | undefined;
  portalUrl: string | undefined;
  rttMs: number | null;
  checkedAt: number | null;
  suspect: Suspicion | null;
  causes: Map<DegradedCause, string>;
  slowInRow: number;
  fastInRow: number;
  cleanInRow: number;
  /** The engine's handshakes over DEGRADED_RTT_MS, and under RECOVERED_RTT_MS, in a row. */
  engineSlowInRow: number;
  engineFastInRow: number;
  /** Recovery probes answered in a row while offline. */
  answeredInRow: number;
  offlineSince: number | null;
  /** When it last came back from offline, the recent times (flap detection). */
  recoveries: number[];
  /** When the last suspicion or outage ended: evidence from before it is about that one. */
  clearedAt: number;
  shown: HealthStatus;
  since: number;
}

/**
 * One health verdict per path, the one the monitor shows and the engine's policy reads: probes,
 * the engine (stalls, timeouts, throughput) and the OS counters (traffic with no answer) all feed
 * it, and it moves between up, suspect, offline, degraded and portal by the rules and thresholds
 * written down in healthRules.ts. Keeps no timers: `ProbeScheduler` asks it what to probe when.
 */
export class HealthVerdicts {
  private readonly verdicts = new Map<string, Verdict>();

  healthOf(name: string): PathHealth | undefined {
    const v = this.verdicts.get(name);
    if (!v) return undefined;
    const health: PathHealth = { status: v.shown, rttMs: v.rttMs, checkedAt: v.checkedAt, since: v.since };
    const detail = detailOf(v);
    if (detail) health.detail = detail;
    if (v.shown === 'captive' && v.portalUrl) health.portalUrl = v.portalUrl;
    if (v.shown === 'offline') health.rttMs = null;
    return health;
  }

  statusOf(name: string): HealthStatus | undefined {
    return this.verdicts.get(name)?.shown;
  }

  /** The path's last measured handshake time: what a short probe's deadline is scaled by. */
  lastRtt(name: string): number | null {
    return this.verdicts.get(name)?.rttMs ?? null;
  }

  /** How long it has been offline (0 when it is not). */
  offlineFor(name: string, now: number): number {
    const since = this.verdicts.get(name)?.offlineSince;
    return since == null ? 0 : Math.max(0, now - since);
  }

  /** Went offline and came back FLAPS_BEFORE_STRICT times within FLAP_WINDOW_MS. */
  flapping(name: string, now: number): boolean {
    const v = this.verdicts.get(name);
    return v ? recentFlaps(v, now) >= FLAPS_BEFORE_STRICT : false;
  }

  /** One slow probe so far (not yet degraded), or degraded: worth a look again soon. */
  unsettled(name: string): boolean {
    const v = this.verdicts.get(name);
    return (
      !!v &&
      (v.slowInRow > 0 ||
        v.causes.has('rtt') ||
        v.causes.has('loss') ||
        v.causes.has('probe') ||
        v.causes.has('handshake'))
    );
  }

  /** The path went down or away: its verdict no longer holds. */
  forget(name: string): void {
    this.verdicts.delete(name);
  }

  /**
   * The engine or the traffic saw the path fail: suspect it (true) unless it is offline or behind
   * a portal already, suspect already, or the evidence predates the verdict's last recovery.
   */
  suspect(name: string, reason: string, at: number, now: number): boolean {
    const v = this.verdictOf(name, now);
    if (v.reach === 'offline' || v.reach === 'captive' || v.suspect) return false;
    if (at <= v.clearedAt) return false;
    v.suspect = { reason, at, byProbe: false };
    this.settle(v, now);
    return true;
  }

  /** A degraded cause found (reason) or gone (null) outside probes: the engine's throughput. */
  setCause(name: string, cause: DegradedCause, reason: string | null, now: number): void {
    const v = this.verdictOf(name, now);
    if (reason === null) v.causes.delete(cause);
    else v.causes.set(cause, reason);
    this.settle(v, now);
  }

  /**
   * A connection the engine opened over the path, and its TCP handshake time (issue 23): slow
   * ones in a row make an answering path degraded, fast ones (or fast probes) undo it. A path
   * offline, suspect or behind a portal is judged by its probes alone.
   */
  handshake(name: string, ms: number, now: number): void {
    const v = this.verdictOf(name, now);
    if (v.reach === 'offline' || v.reach === 'captive' || v.suspect) return;
    const slow = ms > DEGRADED_RTT_MS;
    v.engineSlowInRow = slow ? v.engineSlowInRow + 1 : 0;
    v.engineFastInRow = ms < RECOVERED_RTT_MS ? v.engineFastInRow + 1 : 0;
    if (slow && v.engineSlowInRow >= SLOW_HANDSHAKES_TO_DEGRADE) {
      const slowness = `${Math.round(ms)} ms to open (over ${DEGRADED_RTT_MS} ms on ${v.engineSlowInRow} in a row)`;
      v.causes.set('handshake', `Slow: downloads' connections took ${slowness}.`);
      // Only fast answers after this count towards undoing it.
      v.fastInRow = 0;
    } else if (v.engineFastInRow >= FAST_HANDSHAKES_TO_RECOVER) v.causes.delete('handshake');
    this.settle(v, now);
  }

  /**
   * A suspect path's confirming probe got no answer, yet the path still delivers (its interface
   * receives): slow with a deep queue, not dead. The suspicion ends as degraded, never offline.
   */
  slowNotDead(name: string, reason: string, now: number): void {
    const v = this.verdictOf(name, now);
    v.suspect = null;
    v.causes.set('throughput', reason);
    this.settle(v, now);
  }

  /** A probe's answer, started at `startedAt`; `sent` false: it never left (the path had no address). */
  probed(
    name: string,
    health: PathHealth,
    kind: ProbeKind,
    startedAt: number,
    now: number,
    sent = true,
  ): void {
    const v = this.verdictOf(name, now);
    v.checkedAt = health.checkedAt ?? now;
    switch (health.status) {
      case 'captive':
        v.reach = 'captive';
        v.reachDetail = health.detail;
        v.portalUrl = health.portalUrl;
        v.rttMs = health.rttMs;
        v.suspect = null;
        v.offlineSince = null;
        v.answeredInRow = 0;
        break;
      case 'offline':
        unanswered(v, health, kind, now, sent);
        break;
      case 'good':
      case 'degraded':
        answered(v, health, kind, startedAt, now);
        break;
      default:
        // The probe's egress could not be verified: it tells nothing either way.
        if (v.reach !== 'offline') {
          v.reach = 'unknown';
          v.reachDetail = health.detail;
          v.suspect = null;
        }
    }
    this.settle(v, now);
  }

  private verdictOf(name: string, now: number): Verdict {
    let v = this.verdicts.get(name);
    if (!v) {
      v = {
        reach: 'unknown',
        reachDetail: undefined,
        portalUrl: undefined,
        rttMs: null,
        checkedAt: null,
        suspect: null,
        causes: new Map(),
        slowInRow: 0,
        fastInRow: 0,
        cleanInRow: 0,
        engineSlowInRow: 0,
        engineFastInRow: 0,
        answeredInRow: 0,
        offlineSince: null,
        recoveries: [],
        clearedAt: 0,
        shown: 'unknown',
        since: now,
      };
      this.verdicts.set(name, v);
    }
    return v;
  }

  /** Recomputes what the path shows; a change dates it, and the end of an outage or suspicion clears old evidence. */
  private settle(v: Verdict, now: number): void {
    const shown: HealthStatus =
      v.reach === 'captive'
        ? 'captive'
        : v.reach === 'offline'
          ? 'offline'
          : v.suspect
            ? 'suspect'
            : v.causes.size > 0
              ? 'degraded'
              : v.reach;
    if (shown === v.shown) return;
    if (v.shown === 'offline' || v.shown === 'suspect') v.clearedAt = now;
    v.shown = shown;
    v.since = now;
  }
}

function recentFlaps(v: Verdict, now: number): number {
  return v.recoveries.filter((t) => now - t <= FLAP_WINDOW_MS).length;
}

/** No answer: the second signal (after a suspicion) or the one-shot's only one is offline; a first is suspect. */
function unanswered(v: Verdict, health: PathHealth, kind: ProbeKind, now: number, sent: boolean): void {
  v.cleanInRow = 0;
  v.fastInRow = 0;
  v.answeredInRow = 0;
  const detail = health.detail ?? 'A probe got no answer.';
  if (v.reach === 'offline') {
    v.reachDetail = detail;
    return;
  }
  if (kind === 'once' || v.suspect) {
    v.reachDetail = v.suspect && !v.suspect.byProbe ? `${v.suspect.reason} Then: ${detail}` : detail;
    v.reach = 'offline';
    v.suspect = null;
    v.offlineSince = now;
    v.causes.delete('throughput');
    return;
  }
  // Suspect either way; only a probe that went out and got no answer says packets are lost.
  v.suspect = { reason: detail, at: now, byProbe: sent };
}

/** An answer: ends an outage (once it is sure), a suspicion (if it came after it), a portal; judges RTT. */
function answered(v: Verdict, health: PathHealth, kind: ProbeKind, startedAt: number, now: number): void {
  if (v.reach === 'offline') {
    v.answeredInRow++;
    const need = recentFlaps(v, now) >= FLAPS_BEFORE_STRICT ? RECOVERY_PROBES_FLAPPY : 1;
    if (v.answeredInRow < need) {
      v.reachDetail = `Answering again (${v.answeredInRow} of ${need} probes in a row after flapping).`;
      return;
    }
    v.recoveries = [...v.recoveries.filter((t) => now - t <= FLAP_WINDOW_MS), now];
    v.offlineSince = null;
    v.answeredInRow = 0;
  }
  let lost = false;
  if (v.suspect) {
    // A probe sent before the suspicion can't clear it: it may have crossed before the failure.
    if (startedAt < v.suspect.at && kind !== 'once') return;
    lost = v.suspect.byProbe;
    if (lost) v.causes.set('loss', 'A probe got no answer; the next one did (packets are being lost).');
    v.suspect = null;
  }
  v.reach = 'good';
  v.reachDetail = undefined;
  v.portalUrl = undefined;
  v.rttMs = health.rttMs;
  judgeRtt(v, health, kind, lost);
}

/** RTT with hysteresis (in at DEGRADED_RTT_MS twice, out under RECOVERED_RTT_MS twice); the prober's other complaints. */
function judgeRtt(v: Verdict, health: PathHealth, kind: ProbeKind, afterLoss: boolean): void {
  const rtt = health.rttMs;
  const slow = rtt !== null && rtt > DEGRADED_RTT_MS;
  const fast = rtt !== null && rtt < RECOVERED_RTT_MS;
  v.slowInRow = slow ? v.slowInRow + 1 : 0;
  v.fastInRow = fast ? v.fastInRow + 1 : 0;
  if (slow && (v.slowInRow >= SLOW_PROBES_TO_DEGRADE || kind === 'once')) {
    v.causes.set(
      'rtt',
      `Slow: ${Math.round(rtt)} ms round trip (over ${DEGRADED_RTT_MS} ms on ${v.slowInRow} probe${v.slowInRow === 1 ? '' : 's'} in a row).`,
    );
  } else if (v.fastInRow >= CLEAN_PROBES_TO_RECOVER) {
    // Fast probes answer for the path's handshakes too, the engine's included (it may no longer use it).
    v.causes.delete('rtt');
    v.causes.delete('handshake');
  }
  // The prober's own "degraded" that is not about RTT: the probe URL answered an error.
  if (health.status === 'degraded' && !slow)
    v.causes.set('probe', health.detail ?? 'The probe was answered badly.');
  else v.causes.delete('probe');
  // The answer right after a lost probe is no evidence the loss is over.
  const clean = health.status === 'good' && !slow && !afterLoss;
  v.cleanInRow = clean ? v.cleanInRow + 1 : 0;
  if (v.cleanInRow >= CLEAN_PROBES_TO_RECOVER) v.causes.delete('loss');
}

function detailOf(v: Verdict): string | undefined {
  switch (v.shown) {
    case 'suspect':
      return v.suspect?.reason;
    case 'degraded':
      return [...v.causes.values()].join(' ');
    case 'good':
      return undefined;
    default:
      return v.reachDetail;
  }
}
