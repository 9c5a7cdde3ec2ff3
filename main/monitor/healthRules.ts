/**
 * The numbers behind a path's health verdict (`HealthVerdicts`, `ThroughputJudge`,
 * `ProbeScheduler`), in one place so the docs can quote them. Times in milliseconds, rates in
 * bytes per second.
 *
 * The states and what moves a path between them (the hysteresis):
 *
 *   up ──engine stall / request timeout / probe unanswered / packets out, none back──▶ suspect
 *   suspect ──a short confirming probe gets no answer──▶ offline
 *   suspect ──no answer either, but the interface still receives ALIVE_RX_BPS──▶ degraded
 *   suspect ──the confirming probe (sent after the suspicion) answers──▶ up (or degraded)
 *   offline ──a recovery probe answers (RECOVERY_PROBES_FLAPPY of them after repeated flaps)──▶ up
 *   up ──throughput, RTT (probes' or the engine's handshakes) or loss past the "enter" threshold──▶ degraded
 *   degraded ──back past the (stricter) "leave" threshold──▶ up
 *   any ──a probe answered by a redirect or a sign-in page──▶ portal (captive)
 *   portal ──a probe answered by the internet (the user signed in)──▶ up
 *
 * Two independent signals are needed to call a path offline (the engine's or the traffic's, then
 * a probe's), one answer brings it back; evidence older than the current verdict is ignored, so
 * a stall the engine reports about the outage that just ended cannot knock a recovered path back.
 */

// ─── Offline: how fast, and how sure ──────────────────────────────────────────────────────────

/** A confirming or recovery probe's deadline is this many of the path's last known RTTs… */
export const SHORT_PROBE_RTTS = 4;
/** …at least this (below the kernel's 1 s SYN retransmit, so a dead attempt ends before it)… */
export const SHORT_PROBE_MIN_MS = 800;
/** …and at most this (a path slower than that is degraded anyway). */
export const SHORT_PROBE_MAX_MS = 3000;

/**
 * A confirming probe that got no answer while the interface received at least this meanwhile
 * (bytes per second, by its own counters: 256 kbit/s, far above what a dead path's stray packets
 * and a server's retransmissions make) found a path that is slow, its queue deep, not dead:
 * degraded, not offline.
 */
export const ALIVE_RX_BPS = 32_000;

/** While offline with the link up: a recovery probe this often, so a path that returns is up within ~2 s… */
export const RECOVERY_PROBE_MS = 500;
/** …for this long after it went offline; then the pause doubles up to the routine interval. */
export const RECOVERY_FAST_FOR_MS = 60_000;

/** A path that went offline and came back this many times… */
export const FLAPS_BEFORE_STRICT = 2;
/** …within this window is flapping… */
export const FLAP_WINDOW_MS = 120_000;
/** …and must answer this many recovery probes in a row (about 1 s apart) before it is up again. */
export const RECOVERY_PROBES_FLAPPY = 3;
/** The pause between those recovery probes of a flapping path. */
export const FLAPPY_PROBE_MS = 1000;

// ─── Degraded: RTT and loss (probes) ─────────────────────────────────────────────────────────

/** A probe's TCP handshake slower than this is slow… */
export const DEGRADED_RTT_MS = 800;
/** …and this many slow probes in a row make the path degraded. */
export const SLOW_PROBES_TO_DEGRADE = 2;
/** A degraded path's handshake must be under this (well below the "enter" figure)… */
export const RECOVERED_RTT_MS = 400;
/** …on this many probes in a row before it is up again; a lost probe needs as many clean ones. */
export const CLEAN_PROBES_TO_RECOVER = 2;
/** A degraded path (or one with one slow probe) is probed again this soon, to settle the verdict. */
export const DEGRADED_RECHECK_MS = 10_000;
/** A path behind a captive portal is probed this often, to see the user signed in. */
export const PORTAL_RECHECK_MS = 10_000;
/** Both rechecks on a frugal path (metered, cellular, tether): no more often than this. */
export const FRUGAL_RECHECK_MS = 60_000;

// ─── Degraded: RTT and loss (the engine's connections) ───────────────────────────────────────

/**
 * The engine's connections' TCP handshakes over DEGRADED_RTT_MS, this many in a row, make the path
 * degraded; under RECOVERED_RTT_MS, as many in a row (or the probes' CLEAN_PROBES_TO_RECOVER fast
 * answers) make it up again. A download opens several at once: a path that turned weak since
 * its last probe is called so as the download starts.
 */
export const SLOW_HANDSHAKES_TO_DEGRADE = 2;
export const FAST_HANDSHAKES_TO_RECOVER = 2;

// ─── Degraded: throughput (engine) ───────────────────────────────────────────────────────────

/** What a path delivered to a download recently: the best 1 s rate in this window… */
export const REFERENCE_WINDOW_MS = 60_000;
/** …counts only from this rate up (2 Mbit/s): slower is no yardstick for "far below". */
export const MIN_REFERENCE_BPS = 250_000;
/** A download's rate on a path under this share of its reference… */
export const DEGRADED_RATE_FRACTION = 1 / 8;
/** …for this long while the path had requests in flight makes the path degraded. */
export const DEGRADED_AFTER_MS = 3000;
/** A degraded path is up again once a download gets at least this share of the reference… */
export const RECOVERED_RATE_FRACTION = 1 / 2;
/** …for this long. */
export const RECOVERED_AFTER_MS = 3000;
/**
 * A path degraded by throughput that got no work since (handover and interactive modes move new
 * requests off it) is up again on probation after this long, doubling on each relapse within
 * PROBATION_RELAPSE_MS, up to PROBATION_MAX_MS: only traffic can show its throughput is back.
 */
export const PROBATION_FIRST_MS = 20_000;
export const PROBATION_RELAPSE_MS = 120_000;
export const PROBATION_MAX_MS = 300_000;

// ─── What probes cost ─────────────────────────────────────────────────────────────────────────

/** On battery, routine probes of a path that stays up back off, doubling up to this. */
export const BATTERY_MAX_MS = 10 * 60_000;
/** On battery, a frugal path's routine probes back off up to this. */
export const FRUGAL_BATTERY_MAX_MS = 30 * 60_000;
