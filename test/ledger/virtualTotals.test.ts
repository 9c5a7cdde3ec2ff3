import { afterEach, describe, expect, it } from 'vitest';
import type { PathInfo } from '../../common/contract.ts';
import { Books, MB, path, plan } from '../support/ledgerBooks.ts';

const open: Books[] = [];
function books(...args: ConstructorParameters<typeof Books>): Books {
  const b = new Books(...args);
  open.push(b);
  return b;
}
afterEach(() => {
  for (const b of open.splice(0)) b.ledger.close();
});

/** One observation a second of Wi-Fi, cellular, a VPN over Wi-Fi, and Docker's bridge and veth. */
function observe(b: Books, rx: Record<string, number>, over: Record<string, Partial<PathInfo>> = {}): void {
  b.advance(1000);
  const paths: PathInfo[] = [
    path('wlan0', { type: 'wifi', metered: false }),
    path('wwan0'),
    path('tun0', { type: 'vpn', metered: false, ridesOn: 'wlan0' }),
    path('docker0', { type: 'virtual' }),
    path('veth1a2b', { type: 'virtual' }),
  ];
  b.ledger.observePaths(paths.map((p) => ({ ...p, ...over[p.name], rxBytes: rx[p.name] ?? 0, txBytes: 0 })));
}

describe('12: each byte counted once', () => {
  it('lists the VPN with its own traffic, riding on Wi-Fi, and keeps it out of the total', () => {
    const b = books();
    observe(b, {});
    // 40 MB through the VPN (42 MB on Wi-Fi, encrypted), 10 MB of Wi-Fi besides, 5 MB cellular;
    // a container pulls 30 MB through Docker's bridge, out over Wi-Fi too.
    observe(b, { wlan0: 82 * MB, wwan0: 5 * MB, tun0: 40 * MB, docker0: 30 * MB, veth1a2b: 30 * MB });
    const summary = b.ledger.summary();
    const byName = Object.fromEntries(summary.paths.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(['tun0', 'wlan0', 'wwan0']);
    expect(byName['tun0']).toMatchObject({ allBytes: 40 * MB, ridesOn: 'wlan0' });
    expect(byName['wlan0']?.ridesOn).toBeUndefined();
    expect(summary.totalBytes).toBe(87 * MB);
  });

  it('still knows a VPN for one after a restart, before it is seen again', () => {
    const b = books();
    observe(b, {});
    observe(b, { wlan0: 12 * MB, tun0: 10 * MB });
    b.reopen();
    const summary = b.ledger.summary();
    expect(summary.paths.find((p) => p.name === 'tun0')?.ridesOn).toBeNull();
    expect(summary.totalBytes).toBe(12 * MB);
  });

  it('keeps no books for bridges and veths, unless the user gave one a plan', () => {
    const b = books();
    observe(b, {});
    observe(b, { docker0: 30 * MB });
    expect(b.ledger.summary().paths.map((p) => p.name)).not.toContain('docker0');
    b.plans = { docker0: plan() };
    expect(b.ledger.summary().paths.find((p) => p.name === 'docker0')?.allBytes).toBe(0);
  });
});

describe('2: a VPN over cellular is never the unmetered way out, nor blamed itself', () => {
  it('no unexpected-use alert on the VPN when it takes its carrier’s metered flag', () => {
    const b = books({ unexpectedBytes: 5 * MB });
    const viaCellular = { tun0: { metered: true, ridesOn: 'wwan0' } };
    observe(b, {}, viaCellular);
    for (let s = 1; s <= 10; s++) observe(b, { wwan0: s * 2 * MB, tun0: s * 2 * MB }, viaCellular);
    // Wi-Fi is up (an unmetered way out): other apps' 20 MB on wwan0 is unexpected, once, on wwan0.
    expect(b.alerts).toEqual(['Unexpected use of wwan0']);
  });

  it('no alert on cellular when the only unmetered path up is a VPN, whatever its type says', () => {
    const b = books({ unexpectedBytes: 5 * MB });
    const vpnOnly = {
      wlan0: { up: false },
      tun0: { type: 'ethernet' as const, metered: false, ridesOn: null },
    };
    observe(b, {}, vpnOnly);
    for (let s = 1; s <= 10; s++) observe(b, { wwan0: s * 2 * MB, tun0: s * 2 * MB }, vpnOnly);
    expect(b.alerts).toEqual([]);
  });
});
