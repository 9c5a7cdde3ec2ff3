import { describe, expect, it } from 'vitest';
import type { PathInfo } from '../../common/contract.ts';
import { AppRateMeter } from '../../main/monitor/AppRateMeter.ts';
import { parseProcNetDev, parseProcNetRoute, parseProcNetWireless } from '../../main/monitor/linuxLinks.ts';
import { NetworkManagerMetered, parseNmcliMetered } from '../../main/monitor/networkManager.ts';
import { diffPaths } from '../../main/monitor/pathEvents.ts';

describe('kernel tables', () => {
  it('reads every interface’s counters from /proc/net/dev', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:  3571642    4211    0    0    0     0          0         0  3571642    4211    0    0    0     0       0          0',
      ' wlan0: 798998463  612345    0   12    0     0          0      1234  2462456   23456    0    0    0     0       0          0',
    ].join('\n');
    expect(parseProcNetDev(text).get('wlan0')).toEqual({
      rxBytes: 798998463,
      rxPackets: 612345,
      txBytes: 2462456,
      txPackets: 23456,
    });
  });

  it('finds each interface’s default gateway in /proc/net/route', () => {
    const text = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0',
      'usb0\t00000000\t010A14AC\t0003\t0\t0\t100\t00000000\t0\t0\t0',
      'wlan0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0',
    ].join('\n');
    const gateways = parseProcNetRoute(text);
    expect(gateways.get('wlan0')).toBe('192.168.1.1');
    expect(gateways.get('usb0')).toBe('172.20.10.1');
  });

  it('reads Wi-Fi signal in dBm from /proc/net/wireless', () => {
    const text = [
      'Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE',
      ' face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22',
      'wlp2s0: 0000   54.  -56.  -256        0      0      0      0     15        0',
    ].join('\n');
    expect(parseProcNetWireless(text).get('wlp2s0')).toBe(-56);
  });
});

describe('NetworkManager metered', () => {
  it('trusts an explicit yes or no, and treats a guessed no as unknown', () => {
    const parsed = parseNmcliMetered(
      [
        'GENERAL.DEVICE:wlp2s0',
        'GENERAL.METERED:no',
        '',
        'GENERAL.DEVICE:enx0c5b8f279a64',
        'GENERAL.METERED:yes (guessed)',
        '',
        'GENERAL.DEVICE:wwan0',
        'GENERAL.METERED:no (guessed)',
        '',
        'GENERAL.DEVICE:lo',
        'GENERAL.METERED:unknown',
      ].join('\n'),
    );
    expect(Object.fromEntries(parsed)).toEqual({
      wlp2s0: 'no',
      enx0c5b8f279a64: 'yes',
      wwan0: 'unknown',
      lo: 'unknown',
    });
  });

  it('is quietly unavailable without nmcli', async () => {
    const nm = new NetworkManagerMetered({ nmcliPath: null });
    expect(nm.available).toBe(false);
    expect((await nm.read()).size).toBe(0);
  });

  it('reads nothing when nmcli fails (NetworkManager not running)', async () => {
    const nm = new NetworkManagerMetered({ nmcliPath: '/bin/false' });
    expect((await nm.read()).size).toBe(0);
  });
});

const path = (name: string, extra: Partial<PathInfo> = {}): PathInfo => ({
  name,
  type: 'wifi',
  addresses: ['198.18.1.2'],
  up: true,
  metered: false,
  preference: 'always',
  ...extra,
});

describe('diffPaths', () => {
  it('names each change once, removals first', () => {
    const at = new Date('2026-03-01T10:00:00.000Z');
    const before = [path('wlan0'), path('wwan0'), path('usb0')];
    const after = [
      path('wlan0', { up: false }),
      path('wwan0', {
        addresses: ['198.18.2.3'],
        health: { status: 'captive', rttMs: 5, checkedAt: 1 },
      }),
      path('eth0'),
    ];
    expect(diffPaths(before, after, at).map((e) => [e.type, e.name])).toEqual([
      ['path-removed', 'usb0'],
      ['path-down', 'wlan0'],
      ['address-changed', 'wwan0'],
      ['health-changed', 'wwan0'],
      ['path-added', 'eth0'],
    ]);
    expect(diffPaths(before, after, at)[0]?.at).toBe('2026-03-01T10:00:00.000Z');
  });

  it('ignores address order and RTT changes within the same status', () => {
    const a = path('wlan0', { addresses: ['a', 'b'], health: { status: 'good', rttMs: 5, checkedAt: 1 } });
    const b = path('wlan0', { addresses: ['b', 'a'], health: { status: 'good', rttMs: 9, checkedAt: 2 } });
    expect(diffPaths([a], [b])).toEqual([]);
  });
});

describe('AppRateMeter', () => {
  it('turns the engine’s byte events into per-path rates per sample', () => {
    const meter = new AppRateMeter(0);
    meter.record({ transferId: 't', path: 'wlan0', direction: 'down', bytes: 500_000, at: 10 });
    meter.record({ transferId: 't', path: 'wlan0', direction: 'down', bytes: 500_000, at: 20 });
    expect(meter.sample(2000).get('wlan0')).toBe(500_000);
    expect(meter.sample(3000).get('wlan0')).toBeUndefined();
  });
});
