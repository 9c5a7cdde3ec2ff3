import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PathEvent, PathInfo } from '../../common/contract.ts';
import { classifyInterface } from '../../main/monitor/classify.ts';
import { PathMonitor, type PathOverride } from '../../main/monitor/PathMonitor.ts';

async function fakeInterface(root: string, name: string, operstate: string, type = '1'): Promise<void> {
  await mkdir(join(root, name, 'statistics'), { recursive: true });
  await writeFile(join(root, name, 'operstate'), `${operstate}\n`);
  await writeFile(join(root, name, 'carrier'), operstate === 'up' ? '1\n' : '0\n');
  await writeFile(join(root, name, 'type'), `${type}\n`);
  await writeFile(join(root, name, 'ifindex'), `${name.length}\n`);
  await setCounters(root, name, 0, 0);
}

async function setCounters(root: string, name: string, rx: number, tx: number): Promise<void> {
  await writeFile(join(root, name, 'statistics', 'rx_bytes'), `${rx}\n`);
  await writeFile(join(root, name, 'statistics', 'tx_bytes'), `${tx}\n`);
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

/** A monitor over a fake sysfs tree and fake addresses: no host state leaks in. */
function fakeMonitor(
  root: string,
  addresses: Record<string, NetworkInterfaceInfo[]>,
  overrides: Record<string, PathOverride> = {},
): PathMonitor {
  return new PathMonitor({
    sysClassNet: root,
    procNetDir: join(root, 'no-proc'),
    networkInterfaces: () => addresses,
    systemDetails: false,
    pollIntervalMs: 20,
    countersIntervalMs: 20,
    overrides: () => overrides,
  });
}

describe('classifyInterface', () => {
  it.each([
    ['wlan0', 'wifi'],
    ['wlp2s0', 'wifi'],
    ['wwan0', 'cellular'],
    ['wwp0s20f0u6', 'cellular'],
    ['ppp0', 'cellular'],
    ['usb0', 'tether'],
    ['enx001122334455', 'tether'],
    ['eth0', 'ethernet'],
    ['enp3s0', 'ethernet'],
    ['tun0', 'vpn'],
    ['wg0', 'vpn'],
    ['lo', 'loopback'],
    ['docker0', 'virtual'],
    ['something', 'unknown'],
  ])('%s is %s', (name, type) => {
    expect(classifyInterface({ name })).toBe(type);
  });

  it('trusts the driver and the kernel’s device type over the name', () => {
    expect(classifyInterface({ name: 'eth1', driver: 'qmi_wwan' })).toBe('cellular');
    expect(classifyInterface({ name: 'eth1', driver: 'cdc_mbim' })).toBe('cellular');
    expect(classifyInterface({ name: 'eth1', driver: 'rndis_host' })).toBe('tether');
    expect(classifyInterface({ name: 'enx0c5b8f279a64', driver: 'ipheth' })).toBe('tether');
    expect(classifyInterface({ name: 'eth1', devType: 'wlan' })).toBe('wifi');
    expect(classifyInterface({ name: 'mlan0', devType: 'wwan' })).toBe('cellular');
    expect(classifyInterface({ name: 'office', devType: 'wireguard' })).toBe('vpn');
  });

  it('tells a USB Ethernet dongle from a phone by its driver', () => {
    expect(classifyInterface({ name: 'enx00e04c680001', driver: 'r8152' })).toBe('ethernet');
    expect(classifyInterface({ name: 'enx00e04c680001', driver: 'cdc_ether' })).toBe('tether');
  });

  it('knows the iPhone hotspot by its gateway, and VPNs and bridges by what sysfs says', () => {
    expect(classifyInterface({ name: 'eth1', gateway: '172.20.10.1' })).toBe('tether');
    expect(classifyInterface({ name: 'corpvpn0', tun: true, virtual: true })).toBe('vpn');
    expect(classifyInterface({ name: 'lan', devType: 'bridge', virtual: true })).toBe('virtual');
    expect(classifyInterface({ name: 'pci-nic', arpType: 1, driver: 'e1000e' })).toBe('ethernet');
  });
});

describe('PathMonitor: links and addresses', () => {
  it('reports a link going down and coming back as events with ISO times', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pw-sys-'));
    await fakeInterface(root, 'wlan0', 'up');
    await fakeInterface(root, 'wwan0', 'up');
    const monitor = fakeMonitor(root, { wlan0: [ipv4('198.18.1.2')], wwan0: [ipv4('198.18.2.2')] });
    const lists: PathInfo[][] = [];
    const events: PathEvent[] = [];
    monitor.on('paths', (paths) => lists.push(paths));
    monitor.on('event', (event) => events.push(event));
    await monitor.start();
    expect(monitor.snapshot().map((p) => [p.name, p.type, p.up])).toEqual([
      ['wlan0', 'wifi', true],
      ['wwan0', 'cellular', true],
    ]);
    expect(events.map((e) => [e.type, e.name])).toEqual([
      ['path-added', 'wlan0'],
      ['path-added', 'wwan0'],
    ]);
    await writeFile(join(root, 'wlan0', 'operstate'), 'down\n');
    await expect.poll(() => events.at(-1)?.type, { timeout: 2000 }).toBe('path-down');
    expect(events.at(-1)).toMatchObject({ name: 'wlan0', path: { up: false } });
    expect(events.at(-1)?.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await writeFile(join(root, 'wlan0', 'operstate'), 'up\n');
    await expect.poll(() => events.at(-1)?.type, { timeout: 2000 }).toBe('path-up');
    monitor.stop();
    expect(lists.length).toBe(3);
  });

  it('reports addresses coming and going, and interfaces appearing and disappearing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pw-sys-'));
    await fakeInterface(root, 'wlan0', 'up');
    const addresses: Record<string, NetworkInterfaceInfo[]> = { wlan0: [ipv4('198.18.1.2')] };
    const monitor = fakeMonitor(root, addresses);
    const events: PathEvent[] = [];
    monitor.on('event', (event) => events.push(event));
    await monitor.start();
    addresses['wlan0'] = [ipv4('198.18.1.2'), ipv4('198.18.1.3')];
    await expect.poll(() => events.at(-1)?.type, { timeout: 2000 }).toBe('address-changed');
    expect(events.at(-1)?.addresses).toEqual(['198.18.1.2', '198.18.1.3']);
    await fakeInterface(root, 'usb0', 'up');
    await expect.poll(() => events.at(-1)?.name, { timeout: 2000 }).toBe('usb0');
    expect(events.at(-1)).toMatchObject({ type: 'path-added', path: { type: 'tether', metered: true } });
    await rm(join(root, 'usb0'), { recursive: true });
    await expect.poll(() => events.at(-1)?.type, { timeout: 2000 }).toBe('path-removed');
    monitor.stop();
  });
});

describe('PathMonitor: metered and preference', () => {
  it('marks cellular and tether paths metered and makes them backup by default', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pw-sys-'));
    await fakeInterface(root, 'usb0', 'up');
    await fakeInterface(root, 'eth0', 'up');
    const monitor = fakeMonitor(root, {});
    const paths = await monitor.refresh();
    expect(paths.find((p) => p.name === 'usb0')).toMatchObject({
      metered: true,
      meteredSource: 'type',
      preference: 'backup',
    });
    expect(paths.find((p) => p.name === 'eth0')).toMatchObject({ metered: false, preference: 'always' });
  });

  it('lets the user’s override decide type and metered', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pw-sys-'));
    await fakeInterface(root, 'eth1', 'up');
    await fakeInterface(root, 'wwan0', 'up');
    const monitor = fakeMonitor(root, {}, { eth1: { type: 'tether' }, wwan0: { metered: false } });
    const paths = await monitor.refresh();
    expect(paths.find((p) => p.name === 'eth1')).toMatchObject({ type: 'tether', metered: true });
    expect(paths.find((p) => p.name === 'wwan0')).toMatchObject({
      type: 'cellular',
      metered: false,
      meteredSource: 'user',
      preference: 'always',
    });
  });
});

describe('PathMonitor: counters and probes', () => {
  it('measures each path’s OS byte rates and counts resets as a fresh start', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pw-sys-'));
    await fakeInterface(root, 'eth0', 'up');
    const monitor = fakeMonitor(root, { eth0: [ipv4('198.18.7.2')] });
    const rates: number[] = [];
    monitor.on('rates', ({ paths }) => rates.push(paths['eth0']?.rxRate ?? -1));
    await monitor.start();
    await setCounters(root, 'eth0', 1_000_000, 1000);
    await expect.poll(() => Math.max(...rates), { timeout: 2000 }).toBeGreaterThan(0);
    expect(monitor.snapshot()[0]).toMatchObject({ rxBytes: 1_000_000, txBytes: 1000 });
    await setCounters(root, 'eth0', 10, 10);
    await expect.poll(() => monitor.snapshot()[0]?.rxBytes ?? -1, { timeout: 2000 }).toBe(10);
    expect(rates.every((r) => r >= 0)).toBe(true);
    monitor.stop();
  });

  it('never probes without a probe URL, and never probes loopback or virtual paths', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pw-sys-'));
    await fakeInterface(root, 'lo', 'unknown', '772');
    await fakeInterface(root, 'docker0', 'up');
    await fakeInterface(root, 'eth0', 'up');
    const addresses = { eth0: [ipv4('198.18.7.2')], lo: [ipv4('127.0.0.1')], docker0: [ipv4('172.17.0.1')] };
    const silent = fakeMonitor(root, addresses);
    expect((await silent.refresh({ probe: true })).every((p) => p.health === undefined)).toBe(true);
    const probing = new PathMonitor({
      sysClassNet: root,
      procNetDir: join(root, 'no-proc'),
      networkInterfaces: () => addresses,
      systemDetails: false,
      probeUrl: () => 'http://127.0.0.1:9/generate_204',
      probe: { timeoutMs: 200, counterSettleMs: 10 },
    });
    const paths = await probing.refresh({ probe: true });
    expect(paths.find((p) => p.name === 'eth0')?.health?.checkedAt).toBeGreaterThan(0);
    expect(paths.find((p) => p.name === 'lo')?.health).toBeUndefined();
    expect(paths.find((p) => p.name === 'docker0')?.health).toBeUndefined();
  });
});
