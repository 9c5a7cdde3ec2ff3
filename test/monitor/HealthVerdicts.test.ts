import { describe, expect, it } from 'vitest';
import type { HealthStatus, PathHealth } from '../../common/contract.ts';
import {
  CLEAN_PROBES_TO_RECOVER,
  DEGRADED_RTT_MS,
  RECOVERED_RTT_MS,
  RECOVERY_PROBES_FLAPPY,
} from '../../main/monitor/healthRules.ts';
import { HealthVerdicts, type ProbeKind } from '../../main/monitor/HealthVerdicts.ts';

const T0 = 1_000_000;

function answer(
  status: HealthStatus,
  rttMs: number | null = 20,
  extra: Partial<PathHealth> = {},
): PathHealth {
  return { status, rttMs, checkedAt: null, ...extra };
}
const noAnswer = answer('offline', null, { detail: 'No answer from 198.19.0.1:8204 within 0.8 s (1 try).' });

/** A verdict for wlan0 and a clock; each step says what happened and returns the status after it. */
function path() {
  const verdicts = new HealthVerdicts();
  let now = T0;
  const at = (ms: number): number => (now = T0 + ms);
  return {
    verdicts,
    at,
    probe: (
      ms: number,
      health: PathHealth,
      kind: ProbeKind = 'routine',
      startedMs = ms,
    ): HealthStatus | undefined => {
      verdicts.probed('wlan0', health, kind, T0 + startedMs, at(ms));
      return verdicts.statusOf('wlan0');
    },
    suspect: (ms: number, reason = 'No data arrived over wlan0 for 1.1 s.', evidenceMs = ms): boolean =>
      verdicts.suspect('wlan0', reason, T0 + evidenceMs, at(ms)),
    health: () => verdicts.healthOf('wlan0'),
    now: () => now,
  };
}

describe('health verdict: offline takes two signals, up takes one answer', () => {
  it('the engine’s stall makes a path suspect; a probe that gets no answer either confirms it offline', () => {
    const p = path();
    expect(p.probe(0, answer('good'))).toBe('good');
    expect(p.suspect(1000)).toBe(true);
    expect(p.health()).toMatchObject({
      status: 'suspect',
      detail: 'No data arrived over wlan0 for 1.1 s.',
      since: T0 + 1000,
    });
    expect(p.probe(1800, noAnswer, 'confirm', 1000)).toBe('offline');
    expect(p.health()?.detail).toBe(
      'No data arrived over wlan0 for 1.1 s. Then: No answer from 198.19.0.1:8204 within 0.8 s (1 try).',
    );
    expect(p.health()?.rttMs).toBeNull();
    expect(p.verdicts.offlineFor('wlan0', T0 + 5000)).toBe(3200);
  });

  it('a suspicion the confirming probe answers is dropped: the path is up again, no worse', () => {
    const p = path();
    p.probe(0, answer('good'));
    p.suspect(1000);
    expect(p.probe(1100, answer('good', 25), 'confirm', 1000)).toBe('good');
    expect(p.health()?.detail).toBeUndefined();
  });

  it('a probe sent before the suspicion can’t clear it (it may have crossed before the failure)', () => {
    const p = path();
    p.probe(0, answer('good'));
    p.suspect(1000);
    expect(p.probe(1050, answer('good'), 'routine', 900)).toBe('suspect');
    expect(p.probe(1900, noAnswer, 'confirm', 1050)).toBe('offline');
  });

  it('a routine probe with no answer is the first signal only; the next answering makes it degraded by loss', () => {
    const p = path();
    p.probe(0, answer('good'));
    expect(p.probe(30_000, noAnswer)).toBe('suspect');
    expect(p.probe(30_100, answer('good'), 'confirm')).toBe('degraded');
    expect(p.health()?.detail).toMatch(/packets are being lost/);
    for (let i = 1; i < CLEAN_PROBES_TO_RECOVER; i++)
      expect(p.probe(30_100 + i * 10_000, answer('good'))).toBe('degraded');
    expect(p.probe(30_100 + CLEAN_PROBES_TO_RECOVER * 10_000, answer('good'))).toBe('good');
  });

  it('a probe that never left (no address yet) is no lost packet: the next answer brings it up, not weak', () => {
    const p = path();
    const noAddress = answer('offline', null, { detail: 'No address yet.' });
    p.verdicts.probed('wlan0', noAddress, 'routine', T0, p.at(0), false);
    expect(p.health()).toMatchObject({ status: 'suspect', detail: 'No address yet.' });
    expect(p.probe(100, answer('good'), 'confirm')).toBe('good');
  });
});

describe('health verdict: the one-shot, and no flapping', () => {
  it('the one-shot command line takes its one probe’s word', () => {
    const p = path();
    expect(p.probe(0, noAnswer, 'once')).toBe('offline');
    expect(p.probe(1000, answer('good', DEGRADED_RTT_MS + 100), 'once')).toBe('degraded');
  });

  it('offline paths ignore stalls; evidence from before a recovery can’t knock the path back (no flapping)', () => {
    const p = path();
    p.probe(0, answer('good'));
    p.suspect(1000);
    p.probe(1800, noAnswer, 'confirm', 1000);
    expect(p.suspect(2000)).toBe(false);
    expect(p.probe(5000, answer('good'), 'recovery')).toBe('good');
    // The engine tells of the stall it saw during the outage only now: too late to count.
    expect(p.suspect(5100, 'No data arrived over wlan0 for 4 s.', 4000)).toBe(false);
    expect(p.verdicts.statusOf('wlan0')).toBe('good');
    // A new stall after the recovery counts.
    expect(p.suspect(9000)).toBe(true);
  });

  it('a path that keeps flapping must answer several recovery probes in a row to be up again', () => {
    const p = path();
    p.probe(0, answer('good'));
    let t = 0;
    const outage = (): void => {
      p.suspect((t += 1000));
      p.probe((t += 800), noAnswer, 'confirm', t - 800);
      p.probe((t += 500), answer('good'), 'recovery');
    };
    outage();
    outage();
    expect(p.verdicts.flapping('wlan0', T0 + t)).toBe(true);
    p.suspect((t += 1000));
    p.probe((t += 800), noAnswer, 'confirm', t - 800);
    for (let i = 1; i < RECOVERY_PROBES_FLAPPY; i++) {
      expect(p.probe((t += 1000), answer('good'), 'recovery')).toBe('offline');
      expect(p.health()?.detail).toMatch(new RegExp(`Answering again \\(${i} of ${RECOVERY_PROBES_FLAPPY}`));
    }
    expect(p.probe((t += 1000), answer('good'), 'recovery')).toBe('good');
  });
});

describe('health verdict: degraded, with hysteresis', () => {
  it('slow handshakes: in after two over the limit, out after two well under it, not in between', () => {
    const p = path();
    expect(p.probe(0, answer('good', DEGRADED_RTT_MS + 200))).toBe('good');
    expect(p.verdicts.unsettled('wlan0')).toBe(true);
    expect(p.probe(10_000, answer('degraded', DEGRADED_RTT_MS + 300))).toBe('degraded');
    expect(p.health()?.detail).toMatch(/^Slow: \d+ ms round trip \(over 800 ms on 2 probes in a row\)\.$/);
    // Between the two limits: still degraded.
    expect(p.probe(20_000, answer('good', (DEGRADED_RTT_MS + RECOVERED_RTT_MS) / 2))).toBe('degraded');
    expect(p.probe(30_000, answer('good', RECOVERED_RTT_MS - 100))).toBe('degraded');
    expect(p.probe(40_000, answer('good', RECOVERED_RTT_MS - 100))).toBe('good');
  });

  it('throughput (the engine’s) makes it degraded until it is said to be back', () => {
    const p = path();
    p.probe(0, answer('good'));
    p.verdicts.setCause('wlan0', 'throughput', 'Slow: a download gets 1.0 Mbit/s over wlan0.', T0 + 1000);
    expect(p.health()).toMatchObject({
      status: 'degraded',
      detail: 'Slow: a download gets 1.0 Mbit/s over wlan0.',
    });
    expect(p.probe(2000, answer('good'))).toBe('degraded');
    p.verdicts.setCause('wlan0', 'throughput', null, T0 + 3000);
    expect(p.verdicts.statusOf('wlan0')).toBe('good');
  });

  it('a suspect path whose probe waited behind a deep queue while bytes still arrive is degraded, not offline', () => {
    const p = path();
    p.probe(0, answer('good'));
    p.suspect(1000);
    p.verdicts.slowNotDead(
      'wlan0',
      'Slow: a probe got no answer within 0.8 s while 120 kB/s still arrive over wlan0.',
      T0 + 1800,
    );
    expect(p.health()).toMatchObject({ status: 'degraded' });
    expect(p.health()?.detail).toMatch(/still arrive/);
  });
});

describe('health verdict: captive portals', () => {
  it('a probe answered by a sign-in page is a portal with its page; the internet answering ends it', () => {
    const p = path();
    const portal = answer('captive', 12, {
      detail: 'Redirected to portal.lab: a sign-in page is likely.',
      portalUrl: 'http://portal.lab/login',
    });
    expect(p.probe(0, portal)).toBe('captive');
    expect(p.health()).toMatchObject({ portalUrl: 'http://portal.lab/login', detail: /portal\.lab/ });
    // Behind a portal a stall is no news.
    expect(p.suspect(500)).toBe(false);
    expect(p.probe(10_000, answer('good'))).toBe('good');
    expect(p.health()?.portalUrl).toBeUndefined();
  });
});

describe('health verdict: the RTT and loss the engine sees (its connections’ handshakes)', () => {
  it('two slow handshakes in a row make an answering path degraded; two fast ones undo it', () => {
    const p = path();
    p.probe(0, answer('good', 20));
    const handshake = (ms: number, took: number): HealthStatus | undefined => {
      p.verdicts.handshake('wlan0', took, p.at(ms));
      return p.verdicts.statusOf('wlan0');
    };
    expect(handshake(1000, DEGRADED_RTT_MS + 100)).toBe('good');
    expect(handshake(1001, 60)).toBe('good');
    expect(handshake(1002, DEGRADED_RTT_MS + 100)).toBe('good');
    expect(handshake(1003, DEGRADED_RTT_MS + 150)).toBe('degraded');
    expect(p.health()?.detail).toBe(
      "Slow: downloads' connections took 950 ms to open (over 800 ms on 2 in a row).",
    );
    expect(p.verdicts.unsettled('wlan0')).toBe(true);
    expect(handshake(5000, RECOVERED_RTT_MS - 50)).toBe('degraded');
    expect(handshake(5001, RECOVERED_RTT_MS + 50)).toBe('degraded');
    expect(handshake(5002, RECOVERED_RTT_MS - 50)).toBe('degraded');
    expect(handshake(5003, RECOVERED_RTT_MS - 60)).toBe('good');
  });

  it('fast probes undo it too: the engine may no longer use the path', () => {
    const p = path();
    p.probe(0, answer('good', 20));
    p.verdicts.handshake('wlan0', 2030, p.at(1000));
    p.verdicts.handshake('wlan0', 2012, p.at(1001));
    expect(p.health()).toMatchObject({
      status: 'degraded',
      detail: "Slow: downloads' connections took 2012 ms to open (over 800 ms on 2 in a row).",
    });
    // The probe before the slowness does not count: two fast answers after it do.
    expect(p.probe(10_000, answer('good', 25))).toBe('degraded');
    expect(p.probe(20_000, answer('good', 22))).toBe('good');
  });

  it('leaves a path that is offline or suspect to its probes', () => {
    const p = path();
    p.probe(0, answer('good'));
    p.suspect(1000);
    p.verdicts.handshake('wlan0', 2000, p.at(1100));
    p.verdicts.handshake('wlan0', 2000, p.at(1101));
    expect(p.verdicts.statusOf('wlan0')).toBe('suspect');
    p.probe(1800, noAnswer, 'confirm', 1000);
    p.verdicts.handshake('wlan0', 2000, p.at(1900));
    p.verdicts.handshake('wlan0', 2000, p.at(1901));
    expect(p.probe(2500, answer('good'), 'recovery')).toBe('good');
  });
});
