import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { readBootId, sameBoot } from '../../main/ledger/bootId.ts';
import { PathMonitor } from '../../main/monitor/PathMonitor.ts';
import { Books, MB } from '../support/ledgerBooks.ts';

function ipv4(address: string): NetworkInterfaceInfo {
  return {
    address,
    netmask: '255.255.255.0',
    family: 'IPv4',
    mac: '02:00:00:00:00:01',
    internal: false,
    cidr: null,
  };
}

/** A Mac as the monitor sees it: no sysfs, the OS's address list, counters from a slow source. */
function macMonitor(
  source: () => Promise<Map<string, { rxBytes: number; txBytes: number }>>,
  intervalMs: number,
) {
  return new PathMonitor({
    platform: 'darwin',
    networkInterfaces: () => ({ en0: [ipv4('198.18.1.2')], utun3: [ipv4('198.18.200.2')] }),
    systemDetails: false,
    pollIntervalMs: 20,
    countersIntervalMs: 20,
    osCounters: source,
    osCountersIntervalMs: intervalMs,
  });
}

describe('10: OS counters off Linux', () => {
  it('reads every interface’s counters from the OS source, at most once per interval', async () => {
    let reads = 0;
    const monitor = macMonitor(async () => {
      reads++;
      return new Map([
        ['en0', { rxBytes: 5 * MB, txBytes: MB }],
        ['utun3', { rxBytes: 2 * MB, txBytes: 0 }],
      ]);
    }, 600_000);
    let ticks = 0;
    monitor.on('rates', () => ticks++);
    await monitor.start();
    await expect.poll(() => ticks, { timeout: 10_000 }).toBeGreaterThanOrEqual(10);
    monitor.stop();
    expect(reads).toBe(1);
    const en0 = monitor.snapshot().find((p) => p.name === 'en0');
    expect(en0).toMatchObject({ type: 'ethernet', up: true, rxBytes: 5 * MB, txBytes: MB });
    expect(monitor.counterTotals().get('en0')).toMatchObject({ rxBytes: 5 * MB, txBytes: MB });
    expect(monitor.counterTotals().get('en0')?.countersAt).toBeGreaterThan(0);
    // utun3 is a VPN over en0, the only physical path: it rides on it.
    expect(monitor.snapshot().find((p) => p.name === 'utun3')).toMatchObject({ type: 'vpn', ridesOn: 'en0' });
  });

  it('measures rates between two readings of the source', async () => {
    let rx = 0;
    const monitor = macMonitor(async () => new Map([['en0', { rxBytes: (rx += MB), txBytes: 0 }]]), 1);
    const rates: number[] = [];
    monitor.on('rates', ({ paths }) => rates.push(paths['en0']?.rxRate ?? 0));
    await monitor.start();
    await expect.poll(() => Math.max(0, ...rates), { timeout: 10_000 }).toBeGreaterThan(0);
    monitor.stop();
  });

  it('the one-shot CLI (refresh with details) waits for the counters', async () => {
    const monitor = macMonitor(async () => new Map([['en0', { rxBytes: 7, txBytes: 3 }]]), 5000);
    const paths = await monitor.refresh({ details: true });
    expect(paths.find((p) => p.name === 'en0')).toMatchObject({ rxBytes: 7, txBytes: 3 });
  });
});

describe('10: the ledger on counters read every few seconds', () => {
  it('counts a reading once, over the seconds since the one before (active time, energy)', () => {
    // Off Linux: the monitor ticks every second, the OS counters change every five.
    const slow = new Books();
    const seen = (rx: number, countersAt: number): void => slow.seen('wwan0', rx, { countersAt, txBytes: 0 });
    seen(0, 1);
    for (let i = 0; i < 4; i++) seen(0, 1);
    seen(10 * MB, 2);
    for (let i = 0; i < 4; i++) seen(10 * MB, 2);
    seen(20 * MB, 3);
    // Linux: the same traffic, read every second.
    const fast = new Books();
    fast.seen('wwan0', 0);
    for (let s = 1; s <= 10; s++) fast.seen('wwan0', s * 2 * MB);
    const usage = slow.usage('wwan0');
    expect(usage?.allBytes).toBe(20 * MB);
    // Ten active seconds in one burst either way: the same energy.
    expect(usage?.energyWh).toBeGreaterThan(0);
    expect(usage?.energyWh).toBeCloseTo(fast.usage('wwan0')?.energyWh ?? 0, 9);
    slow.ledger.close();
    fast.ledger.close();
  });
});

describe('10: a boot identity on every OS', () => {
  const T = Date.UTC(2026, 2, 10, 12);

  it('names a boot by its time off Linux: the same across restarts, another after a reboot', () => {
    const mac = (now: number, up: number) =>
      readBootId({ platform: 'darwin', now: () => now, uptime: () => up });
    const boot = mac(T, 3600.4);
    expect(boot).toMatch(/^boot-time:\d+$/);
    // An hour later, clock corrections and rounding included: the same boot.
    expect(sameBoot(boot, mac(T + 3_600_000 + 900, 7200))).toBe(true);
    // Rebooted 10 minutes after: the boot time moved by the whole previous uptime.
    expect(sameBoot(boot, mac(T + 600_000, 30))).toBe(false);
    expect(
      readBootId({ platform: 'linux', bootIdFile: '/nonexistent', now: () => T, uptime: () => 10 }),
    ).toMatch(/^boot-time:/);
    expect(sameBoot(null, boot)).toBe(false);
    expect(sameBoot('3f0c…', '3f0c…')).toBe(true);
  });

  it('keeps a baseline across the app’s restart, not across a reboot', () => {
    let now = T;
    let up = 3600;
    const books = new Books({
      bootId: () => readBootId({ platform: 'win32', now: () => now, uptime: () => up }),
    });
    books.seen('wwan0', 100 * MB);
    books.seen('wwan0', 110 * MB);
    books.ledger.flush();
    // The app restarts a minute later, on the same boot: only what moved since counts.
    now += 60_000;
    up += 60;
    books.reopen();
    books.seen('wwan0', 115 * MB);
    expect(books.usage('wwan0')?.allBytes).toBe(15 * MB);
    books.ledger.flush();
    // The machine reboots: its counters start again from zero, everything they show is new.
    now += 600_000;
    up = 120;
    books.reopen();
    books.seen('wwan0', 4 * MB);
    expect(books.usage('wwan0')?.allBytes).toBe(19 * MB);
    books.ledger.close();
  });
});
