import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PathInfo } from '../../common/contract.ts';
import { overallStatus } from '../../common/status.ts';
import { classifyInterface } from '../../main/monitor/classify.ts';
import { parseRouteTable } from '../../main/monitor/linuxLinks.ts';
import { PathMonitor } from '../../main/monitor/PathMonitor.ts';
import { isPhysicalPath, underlayOf } from '../../main/monitor/vpnUnderlay.ts';
import { Books, MB } from '../support/ledgerBooks.ts';

/** /proc/net/route prints IPv4 addresses in host (little-endian) byte order, in hex. */
function hex(ip: string): string {
  return ip
    .split('.')
    .reverse()
    .map((b) => Number(b).toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

function maskOf(prefix: number): string {
  return hex([24, 16, 8, 0].map((s) => ((prefix ? (~0 << (32 - prefix)) >>> 0 : 0) >>> s) & 0xff).join('.'));
}

/** A /proc/net/route table from `[iface, destination/prefix, gateway or '', metric]` rows. */
function routeTable(rows: Array<[string, string, string, number]>): string {
  const lines = rows.map(([iface, dest, gateway, metric]) => {
    const [address, prefix] = dest.split('/') as [string, string];
    const flags = gateway ? '0003' : '0001';
    return [
      iface,
      hex(address),
      hex(gateway || '0.0.0.0'),
      flags,
      0,
      0,
      metric,
      maskOf(Number(prefix)),
      0,
      0,
      0,
    ].join('\t');
  });
  return [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    ...lines,
  ].join('\n');
}

function carrier(name: string, over: Partial<PathInfo> = {}): PathInfo {
  return {
    name,
    type: name.startsWith('wwan') ? 'cellular' : 'wifi',
    addresses: ['198.18.1.2'],
    up: true,
    metered: name.startsWith('wwan'),
    preference: 'always',
    ...over,
  };
}

describe('12: what is virtual, by name patterns and sysfs, not by "it is a veth"', () => {
  it('keeps the labs’ veths (named like real devices) physical', () => {
    const veth = { virtual: true, arpType: 1 };
    expect(classifyInterface({ name: 'wlan0', ...veth })).toBe('wifi');
    expect(classifyInterface({ name: 'wwan0', ...veth })).toBe('cellular');
    expect(classifyInterface({ name: 'eth0', ...veth })).toBe('ethernet');
    expect(classifyInterface({ name: 'usb0', ...veth })).toBe('tether');
  });

  it('knows bridges, containers’ veths and tunnels by sysfs or by name', () => {
    expect(classifyInterface({ name: 'lan0', bridge: true, virtual: true })).toBe('virtual');
    expect(classifyInterface({ name: 've-web', virtual: true, arpType: 1 })).toBe('virtual');
    expect(classifyInterface({ name: 'vethf00d', virtual: true, arpType: 1 })).toBe('virtual');
    expect(classifyInterface({ name: 'podman0', virtual: true, arpType: 1 })).toBe('virtual');
    // No link layer, no hardware: a tun or WireGuard device whatever its name.
    expect(classifyInterface({ name: 'office', arpType: 65534, virtual: true })).toBe('vpn');
    expect(classifyInterface({ name: 'tailscale0', tun: true, virtual: true })).toBe('vpn');
    // A raw-IP modem has no link layer either, but a driver.
    expect(classifyInterface({ name: 'modem0', arpType: 65534, driver: 'qmi_wwan' })).toBe('cellular');
    // The kernel's ipip fallback device is a tunnel, not a VPN client.
    expect(classifyInterface({ name: 'tunl0', arpType: 768, virtual: true })).toBe('virtual');
  });

  it('reads Windows’ and macOS’s names too', () => {
    expect(classifyInterface({ name: 'vEthernet (WSL)' })).toBe('virtual');
    expect(classifyInterface({ name: 'Wi-Fi' })).toBe('wifi');
    expect(classifyInterface({ name: 'Ethernet 2' })).toBe('ethernet');
    expect(classifyInterface({ name: 'utun4' })).toBe('vpn');
    expect(classifyInterface({ name: 'bridge0' })).toBe('virtual');
    expect(classifyInterface({ name: 'awdl0' })).toBe('virtual');
  });
});

describe('12: the path a VPN rides on, from the routing table', () => {
  const both = [carrier('wlan0'), carrier('wwan0')];

  it('follows OpenVPN’s host route to its server, past its two half-defaults', () => {
    const routes = parseRouteTable(
      routeTable([
        ['tun0', '0.0.0.0/1', '10.8.0.1', 0],
        ['tun0', '128.0.0.0/1', '10.8.0.1', 0],
        ['wwan0', '203.0.113.7/32', '198.18.2.1', 700],
        ['wlan0', '0.0.0.0/0', '198.18.1.1', 600],
        ['wwan0', '0.0.0.0/0', '198.18.2.1', 700],
      ]),
    );
    expect(routes[2]).toMatchObject({
      iface: 'wwan0',
      destination: '203.0.113.7',
      gateway: '198.18.2.1',
      prefix: 32,
    });
    expect(underlayOf(both, routes, undefined)).toBe('wwan0');
  });

  it('takes the main table’s best default among physical paths otherwise (wg-quick)', () => {
    const routes = parseRouteTable(
      routeTable([
        ['wg0', '0.0.0.0/0', '', 10],
        ['wwan0', '0.0.0.0/0', '198.18.2.1', 700],
        ['wlan0', '0.0.0.0/0', '198.18.1.1', 600],
      ]),
    );
    expect(underlayOf(both, routes, undefined)).toBe('wlan0');
    expect(underlayOf([carrier('wwan0')], routes, undefined)).toBe('wwan0');
  });

  it('asks the OS’s default interface off Linux, then the only carrier, else says it does not know', () => {
    expect(underlayOf(both, [], 'wwan0')).toBe('wwan0');
    expect(underlayOf(both, [], 'utun3')).toBeNull();
    expect(underlayOf([carrier('wlan0')], [], undefined)).toBe('wlan0');
    expect(underlayOf([], [], undefined)).toBeNull();
  });

  it('counts only physical paths as ways out', () => {
    expect(isPhysicalPath({ type: 'wifi' })).toBe(true);
    expect(isPhysicalPath({ type: 'vpn' })).toBe(false);
    expect(isPhysicalPath({ type: 'virtual' })).toBe(false);
    expect(isPhysicalPath({ type: 'ethernet', ridesOn: null })).toBe(false);
  });
});

// ─── The monitor over a fake machine: a VPN over cellular, a container bridge and its veth ─────

async function fakeInterface(root: string, name: string, extra: Record<string, string> = {}): Promise<void> {
  await mkdir(join(root, name, 'statistics'), { recursive: true });
  const files = { operstate: 'up', carrier: '1', type: '1', ifindex: String(name.length), ...extra };
  for (const [file, value] of Object.entries(files)) await writeFile(join(root, name, file), `${value}\n`);
  await setCounters(root, name, 0);
}

async function setCounters(root: string, name: string, rx: number): Promise<void> {
  await writeFile(join(root, name, 'statistics', 'rx_bytes'), `${rx}\n`);
  await writeFile(join(root, name, 'statistics', 'tx_bytes'), '0\n');
}

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

/** wwan0 (the only way out), tun0 over it, docker0 and a container's veth. */
async function cellularMachine(): Promise<{
  root: string;
  monitor: PathMonitor;
  addresses: Record<string, NetworkInterfaceInfo[]>;
}> {
  const root = await mkdtemp(join(tmpdir(), 'pw-virt-'));
  await fakeInterface(root, 'wwan0');
  await fakeInterface(root, 'tun0', { type: '65534', tun_flags: '0x1001' });
  await fakeInterface(root, 'docker0');
  await mkdir(join(root, 'docker0', 'bridge'));
  await fakeInterface(root, 'vethc0ffee');
  const proc = join(root, 'proc');
  await mkdir(proc);
  await writeFile(join(proc, 'route'), routeTable([['wwan0', '0.0.0.0/0', '198.18.2.1', 700]]));
  const addresses: Record<string, NetworkInterfaceInfo[]> = {
    wwan0: [ipv4('198.18.2.2')],
    tun0: [ipv4('198.18.200.2')],
    docker0: [ipv4('198.18.50.1')],
    vethc0ffee: [ipv4('198.18.51.1')],
  };
  const monitor = new PathMonitor({
    sysClassNet: root,
    procNetDir: proc,
    networkInterfaces: () => addresses,
    systemDetails: false,
    pollIntervalMs: 20,
    countersIntervalMs: 20,
  });
  return { root, monitor, addresses };
}

describe('12 and 2: the monitor says what rides on what', () => {
  it('marks the VPN as riding on cellular, metered like it; bridges are never a download path', async () => {
    const { monitor } = await cellularMachine();
    const paths = await monitor.refresh();
    const byName = Object.fromEntries(paths.map((p) => [p.name, p]));
    expect(byName['tun0']).toMatchObject({
      type: 'vpn',
      ridesOn: 'wwan0',
      metered: true,
      preference: 'backup',
    });
    expect(byName['wwan0']?.ridesOn).toBeUndefined();
    expect(byName['docker0']).toMatchObject({ type: 'virtual', preference: 'never' });
    expect(byName['vethc0ffee']).toMatchObject({ type: 'virtual', preference: 'never' });
    // The tray's word: only metered paths are up (the VPN is no unmetered way out).
    expect(overallStatus(paths, undefined)).toBe('cellular');
  });

  it('leaves bridges and veths out of the live rates; the VPN keeps its own', async () => {
    const { root, monitor } = await cellularMachine();
    const seen: Array<Record<string, unknown>> = [];
    monitor.on('rates', ({ paths }) => seen.push(paths));
    await monitor.start();
    for (const name of ['wwan0', 'tun0', 'docker0', 'vethc0ffee']) await setCounters(root, name, 4 * MB);
    await expect
      .poll(() => seen.some((r) => (r['tun0'] as { rxRate: number } | undefined)?.rxRate), {
        timeout: 10_000,
      })
      .toBeTruthy();
    monitor.stop();
    expect(Object.keys(seen.at(-1) ?? {}).sort()).toEqual(['tun0', 'wwan0']);
    expect([...monitor.counterTotals().keys()].sort()).toEqual(['tun0', 'wwan0']);
  });

  it('no "unexpected use of wwan0" while the only other path up is a VPN over it (case 2)', async () => {
    const { root, monitor, addresses } = await cellularMachine();
    const books = new Books({ unexpectedBytes: 5 * MB });
    let ticks = 0;
    monitor.on('rates', () => ticks++);
    // Other apps move 3 MB a second over wwan0, through the VPN; the ledger sees what the app would.
    let moved = 0;
    const observe = async (): Promise<void> => {
      const seenAt = ticks;
      await expect.poll(() => ticks, { timeout: 10_000 }).toBeGreaterThan(seenAt + 1);
      books.advance(1000);
      const totals = monitor.counterTotals();
      books.ledger.observePaths(monitor.snapshot().map((p) => ({ ...p, ...totals.get(p.name) })));
    };
    const seconds = async (n: number): Promise<void> => {
      for (let s = 0; s < n; s++) {
        moved += 3 * MB;
        await setCounters(root, 'wwan0', moved);
        await setCounters(root, 'tun0', moved);
        await observe();
      }
    };
    await monitor.start();
    await observe();
    await seconds(10);
    expect(books.alerts).toEqual([]);
    // Wi-Fi joins: now other apps' use of the cellular path is worth a word, and only of it.
    await fakeInterface(root, 'wlan0');
    addresses['wlan0'] = [ipv4('198.18.1.2')];
    await expect
      .poll(() => monitor.snapshot().find((p) => p.name === 'wlan0')?.up, { timeout: 10_000 })
      .toBe(true);
    await seconds(10);
    monitor.stop();
    expect(books.usage('wwan0')?.allBytes).toBe(moved);
    expect(books.alerts).toEqual(['Unexpected use of wwan0']);
    books.ledger.close();
  });
});
