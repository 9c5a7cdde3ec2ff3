import { describe, expect, it } from 'vitest';
import type { HealthStatus, Preference } from '../../common/contract.ts';
import { selectPaths, type PolicyPath } from '../../main/engine/PathPolicy.ts';

function p(
  name: string,
  preference: Preference,
  health: HealthStatus,
  rank: number,
  rttMs: number | null = 20,
): PolicyPath {
  return { name, preference, rank, usable: health !== 'offline' && health !== 'captive', health, rttMs };
}

describe('policy: a degraded primary steps aside (issue 23)', () => {
  it('handover: a degraded or suspect primary hands new requests to a steady secondary and takes them back', () => {
    const steady = [p('wlan0', 'always', 'good', 0), p('eth0', 'secondary', 'good', 1)];
    expect(selectPaths('handover', steady, null)).toEqual(['wlan0']);
    const weak = [p('wlan0', 'always', 'degraded', 0), p('eth0', 'secondary', 'good', 1)];
    expect(selectPaths('handover', weak, 'wlan0')).toEqual(['eth0']);
    const checking = [p('wlan0', 'always', 'suspect', 0), p('eth0', 'secondary', 'good', 1)];
    expect(selectPaths('handover', checking, 'wlan0')).toEqual(['eth0']);
    // Recovered: the better tier takes the requests back.
    expect(selectPaths('handover', steady, 'eth0')).toEqual(['wlan0']);
  });

  it('handover: equal paths don’t flap back; with no steady one the degraded primary keeps working', () => {
    const equal = [p('wlan0', 'always', 'good', 0), p('eth0', 'always', 'good', 1)];
    expect(selectPaths('handover', equal, 'eth0')).toEqual(['eth0']);
    const allWeak = [p('wlan0', 'always', 'degraded', 0), p('eth0', 'secondary', 'degraded', 1)];
    expect(selectPaths('handover', allWeak, 'wlan0')).toEqual(['wlan0']);
  });

  it('within preferences: a weak primary never calls in a backup (metered) path; a dead one does', () => {
    const weak = [p('wlan0', 'always', 'degraded', 0), p('wwan0', 'backup', 'good', 1)];
    expect(selectPaths('handover', weak, 'wlan0')).toEqual(['wlan0']);
    expect(selectPaths('interactive', weak, 'wlan0')).toEqual(['wlan0']);
    const dead = [p('wlan0', 'always', 'offline', 0), p('wwan0', 'backup', 'good', 1)];
    expect(selectPaths('handover', dead, 'wlan0')).toEqual(['wwan0']);
    const never = [p('wlan0', 'always', 'degraded', 0), p('eth0', 'never', 'good', 1)];
    expect(selectPaths('handover', never, 'wlan0')).toEqual(['wlan0']);
  });

  it('interactive: the lowest-RTT steady path, not a faster-looking degraded one', () => {
    const paths = [p('wlan0', 'always', 'degraded', 0, 5), p('eth0', 'always', 'good', 1, 40)];
    expect(selectPaths('interactive', paths, 'wlan0')).toEqual(['eth0']);
  });

  it('aggregate keeps a degraded path for what it is worth (a suspect one too), never one behind a portal', () => {
    const paths = [
      p('wlan0', 'always', 'degraded', 0),
      p('eth0', 'always', 'suspect', 1),
      p('usb0', 'always', 'captive', 2),
      p('wwan0', 'backup', 'good', 3),
    ];
    expect(selectPaths('aggregate', paths, null)).toEqual(['wlan0', 'eth0']);
  });
});
