import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ContinuityEvent, PathHealth, PathInfo, TransferInfo } from '../../common/contract.ts';
import { overallStatus, STATUS_TEXT } from '../../common/status.ts';
import { formatEvent } from '../../main/cli/watch.ts';
import { movedToMetered, pathTrouble, transferSamples, wireHealth } from '../../main/core/healthWiring.ts';
import { PathwiseService } from '../../main/core/PathwiseService.ts';
import type { PathHandshake } from '../../main/engine/pathAgent.ts';
import { portalUrlOf } from '../../main/core/monitorWiring.ts';
import { eventAlert, type LedgerEvent } from '../../main/ledger/eventAlerts.ts';
import { diffPaths } from '../../main/monitor/pathEvents.ts';
import type { TransferSample } from '../../main/monitor/ThroughputJudge.ts';
import { pathStateLabel, trayStatus, trayTooltip } from '../../main/shell/trayState.ts';

const health = (
  status: PathHealth['status'],
  detail?: string,
  extra: Partial<PathHealth> = {},
): PathHealth => ({
  status,
  rttMs: 20,
  checkedAt: 1,
  ...(detail ? { detail } : {}),
  ...extra,
});

function path(name: string, over: Partial<PathInfo> = {}): PathInfo {
  return {
    name,
    type: name.startsWith('wwan') ? 'cellular' : 'wifi',
    addresses: ['198.18.1.2'],
    up: true,
    metered: name.startsWith('wwan'),
    preference: name.startsWith('wwan') ? 'backup' : 'always',
    health: health('good'),
    ...over,
  };
}

const AT = new Date('2026-03-10T12:00:00Z');

describe('state changes as events, with their reason (pathwise watch --json)', () => {
  it('names each new health state in a word and says why', () => {
    const before = [path('wlan0'), path('usb0')];
    const after = [
      path('wlan0', { health: health('suspect', 'No data arrived over wlan0 for 1.1 s.') }),
      path('usb0', {
        health: health('captive', 'Redirected to portal.lab.', { portalUrl: 'http://portal.lab/login' }),
      }),
    ];
    const events = diffPaths(before, after, AT);
    expect(events.map((e) => [e.name, e.state, e.reason])).toEqual([
      ['wlan0', 'suspect', 'No data arrived over wlan0 for 1.1 s.'],
      ['usb0', 'portal', 'Redirected to portal.lab.'],
    ]);
    const back = diffPaths(after, before, AT);
    expect(back.map((e) => [e.state, e.reason])).toEqual([
      ['up', 'Probes reach the internet over this path.'],
      ['up', 'Probes reach the internet over this path.'],
    ]);
    expect(formatEvent(events[1] as (typeof events)[number])).toBe(
      '2026-03-10T12:00:00.000Z  health-changed   usb0             portal 20 ms — Redirected to portal.lab. (sign in at http://portal.lab/login)',
    );
    const offline = diffPaths(after, [path('wlan0', { health: health('offline', 'No answer.') })], AT).find(
      (e) => e.type === 'health-changed',
    );
    expect(formatEvent(offline as NonNullable<typeof offline>)).toMatch(
      /health-changed\s+wlan0\s+offline — No answer\.$/,
    );
  });
});

describe('the tray and the dashboard’s status word', () => {
  const base = { transfers: null, usage: null, capThresholds: [0.75, 1] };

  it('every unmetered path weak: "weak connection" in words, the weak icon in the tray', () => {
    const paths = [path('wlan0', { health: health('degraded', 'Slow.') }), path('wwan0')];
    expect(overallStatus(paths, undefined)).toBe('degraded');
    expect(STATUS_TEXT.degraded.title).toBe('Weak connection');
    expect(trayStatus({ ...base, paths })).toBe('degraded');
    expect(trayTooltip({ ...base, paths })).toBe('Pathwise: weak connection — wlan0 weak');
    expect(overallStatus([...paths, path('eth0')], undefined)).toBe('ok');
  });

  it('a portal path carries nothing: with only it, the machine is offline; the tray names it', () => {
    const portal = path('usb0', { type: 'tether', health: health('captive', 'Redirected.') });
    expect(overallStatus([portal], undefined)).toBe('offline');
    expect(trayTooltip({ ...base, paths: [portal, path('eth0')] })).toBe(
      'Pathwise: all good — usb0 sign-in required',
    );
    expect(pathStateLabel(path('eth0', { health: health('suspect') }))).toBe('checking');
    expect(pathStateLabel(path('eth0', { up: false }))).toBe('down');
  });
});

const lost = (code: string, kind: ContinuityEvent['kind'] = 'path-lost'): ContinuityEvent => ({
  id: 'e1',
  at: 5,
  kind,
  transferId: 't1',
  from: 'wlan0',
  to: null,
  bytesLost: 0,
  stallMs: 0,
  detail: 'No data arrived over wlan0 for 1.1 s; its work moved to the other paths.',
  code,
});

describe('engine and monitor wired together', () => {
  it('a path lost to a stall or a timeout is news for the monitor; one the monitor took down, or a disk error, is not', () => {
    expect(pathTrouble(lost('E_STALLED'))).toEqual({ path: 'wlan0', reason: lost('E_STALLED').detail });
    expect(pathTrouble(lost('E_TIMEOUT'))?.path).toBe('wlan0');
    expect(pathTrouble(lost('E_UNREACHABLE'))).toBeNull();
    expect(pathTrouble(lost('E_DISK'))).toBeNull();
    expect(pathTrouble({ ...lost('E_STALLED'), code: undefined } as ContinuityEvent)).toBeNull();
  });

  it('reads each running download’s rate per path, busy when it has requests in flight there', () => {
    const t = {
      id: 't1',
      state: 'running',
      paths: {
        wlan0: { bytes: 1, rate: 5e6, state: 'active' },
        eth0: { bytes: 0, rate: 0, state: 'idle' },
      },
    } as unknown as TransferInfo;
    expect(transferSamples([t, { ...t, id: 't2', state: 'paused' }])).toEqual([
      { transferId: 't1', path: 'wlan0', rate: 5e6, busy: true },
      { transferId: 't1', path: 'eth0', rate: 0, busy: false },
    ]);
  });
});

describe('engine and monitor wired together: alerts and the portal page', () => {
  it('work moved off a dead or degraded path onto a metered one raises one alert an hour per pair', () => {
    const handover = { ...lost('E_STALLED'), kind: 'handover', to: 'wwan0' } as ContinuityEvent;
    const weak = [path('wlan0', { health: health('degraded', 'Slow: 1.0 Mbit/s.') }), path('wwan0')];
    const moved = movedToMetered(handover, weak) as LedgerEvent;
    expect(moved).toEqual({
      kind: 'metered-fallback',
      from: 'wlan0',
      to: 'wwan0',
      why: 'degraded',
      detail: 'Slow: 1.0 Mbit/s.',
    });
    expect(movedToMetered(handover, [path('wlan0'), path('wwan0')])).toBeNull();
    expect(movedToMetered(handover, [weak[0] as PathInfo, path('eth0')])).toBeNull();
    const failover = { ...handover, kind: 'failover' } as ContinuityEvent;
    expect(movedToMetered(failover, [path('wlan0'), path('wwan0')])).toMatchObject({ why: 'dead' });
    const now = Date.UTC(2026, 2, 10, 12, 5);
    const alert = eventAlert(moved, now);
    expect(alert).toMatchObject({ kind: 'metered-fallback', severity: 'warning', path: 'wwan0' });
    expect(alert.title).toBe('Downloads moved to wwan0 (metered)');
    expect(alert.message).toBe(
      'wlan0 is too weak (Slow: 1.0 Mbit/s), so Pathwise moved work onto wwan0, which counts against your data plan.',
    );
    expect(eventAlert(moved, now + 60_000).key).toBe(alert.key);
  });

  it('wireHealth: a stall makes the path suspect at once, a restore asks for a probe, samples flow each tick', () => {
    const calls: string[] = [];
    let sampler: (() => TransferSample[]) | undefined;
    const source = Object.assign(new EventEmitter(), { list: (): TransferInfo[] => [] });
    const alerts: LedgerEvent[] = [];
    wireHealth({
      monitor: {
        snapshot: () => [path('wlan0'), path('wwan0')],
        suspect: (name, reason, at) => calls.push(`suspect ${name} ${at} ${reason}`),
        engineRecovered: (name) => calls.push(`recovered ${name}`),
        engineHandshake: (name, ms) => calls.push(`handshake ${name} ${ms}`),
        sampleTransfersFrom: (s) => (sampler = s),
      },
      downloads: [source],
      ledger: { recordEvent: (event) => alerts.push(event) },
    });
    source.emit('continuity', lost('E_STALLED'));
    source.emit('continuity', { ...lost('E_STALLED'), kind: 'path-restored', from: null, to: 'wlan0' });
    source.emit('continuity', { ...lost('E_STALLED'), kind: 'failover', to: 'wwan0' });
    expect(calls).toEqual([
      `suspect wlan0 5 ${lost('E_STALLED').detail}`,
      'recovered wlan0',
      `suspect wlan0 5 ${lost('E_STALLED').detail}`,
    ]);
    expect(alerts).toMatchObject([{ kind: 'metered-fallback', from: 'wlan0', to: 'wwan0', why: 'dead' }]);
    expect(sampler?.()).toEqual([]);
  });

  it('the portal page to open comes from the path’s own verdict, never from the caller', () => {
    const portal = path('usb0', {
      health: health('captive', 'Redirected.', { portalUrl: 'http://portal.lab/login' }),
    });
    expect(portalUrlOf([portal], 'usb0')).toBe('http://portal.lab/login');
    expect(() => portalUrlOf([portal, path('wlan0')], 'wlan0')).toThrow(/not behind a captive portal/);
    expect(() => portalUrlOf([], 'usb0')).toThrow(/no path usb0/);
  });
});

describe('engine and monitor wired together: the RTT the engine sees', () => {
  it('each connection’s handshake reaches the verdict while the core runs, and not after', async () => {
    const handshakes = new EventEmitter<{ handshake: [PathHandshake] }>();
    const heard: string[] = [];
    const service = new PathwiseService({ shell: 'headless' });
    wireHealth({
      monitor: {
        snapshot: () => [path('wlan0')],
        suspect: () => undefined,
        engineRecovered: () => undefined,
        engineHandshake: (name, ms) => heard.push(`${name} ${ms}`),
        sampleTransfersFrom: () => undefined,
      },
      downloads: [],
      ledger: null,
      handshakes,
      service,
    });
    await service.start();
    handshakes.emit('handshake', { path: 'wlan0', ms: 912, at: 1 });
    await service.stop();
    handshakes.emit('handshake', { path: 'wlan0', ms: 20, at: 2 });
    expect(heard).toEqual(['wlan0 912']);
    expect(handshakes.listenerCount('handshake')).toBe(0);
  });
});
