/**
 * Cheap reads of Linux link state: sysfs attributes and /proc/net tables. Nothing here spawns a
 * process, and every read is a small synchronous read of a kernel-generated file (microseconds),
 * which costs less CPU than the thread-pool round trip of an async read.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface LinkFacts {
  name: string;
  ifindex: number | undefined;
  arpType: number | undefined;
  driver: string | undefined;
  devType: string | undefined;
  wireless: boolean;
  tun: boolean;
  /** Lives under /sys/devices/virtual: no hardware behind it (veth, tun, wg, ppp, bridges…). */
  virtual: boolean;
  mtu: number | undefined;
  mac: string | undefined;
}

export interface LinkCounters {
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function readNumber(file: string): number | undefined {
  const text = read(file);
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

export function listLinks(sysClassNet: string): string[] | undefined {
  try {
    return readdirSync(sysClassNet).sort();
  } catch {
    return undefined;
  }
}

/**
 * Up means the link can carry traffic now. operstate is authoritative when it says up or down;
 * loopback, tun and some drivers report "unknown", so then the carrier decides.
 */
export function readLinkUp(sysClassNet: string, name: string): boolean | undefined {
  const dir = join(sysClassNet, name);
  const operstate = read(join(dir, 'operstate'));
  if (operstate === undefined) return undefined;
  if (operstate === 'up') return true;
  if (operstate !== 'unknown') return false;
  return read(join(dir, 'carrier')) === '1';
}

export function readIfindex(sysClassNet: string, name: string): number | undefined {
  return readNumber(join(sysClassNet, name, 'ifindex'));
}

/** Facts that change rarely (only when the device is re-created): read once per ifindex. */
export function readLinkFacts(sysClassNet: string, name: string): LinkFacts {
  const dir = join(sysClassNet, name);
  const uevent = read(join(dir, 'uevent')) ?? '';
  const devType = /^DEVTYPE=(.+)$/m.exec(uevent)?.[1];
  let driver: string | undefined;
  try {
    driver = basename(readlinkSync(join(dir, 'device', 'driver')));
  } catch {
    driver = undefined;
  }
  let virtual: boolean;
  try {
    virtual = realpathSync(dir).includes('/devices/virtual/');
  } catch {
    virtual = false;
  }
  return {
    name,
    ifindex: readNumber(join(dir, 'ifindex')),
    arpType: readNumber(join(dir, 'type')),
    driver,
    devType,
    wireless: existsSync(join(dir, 'wireless')) || existsSync(join(dir, 'phy80211')),
    tun: existsSync(join(dir, 'tun_flags')),
    virtual,
    mtu: readNumber(join(dir, 'mtu')),
    mac: read(join(dir, 'address')) || undefined,
  };
}

/** Link speed in Mbit/s; the kernel answers -1 or EINVAL when it doesn't know (Wi-Fi, down links, veth). */
export function readLinkSpeed(sysClassNet: string, name: string): number | null {
  const speed = readNumber(join(sysClassNet, name, 'speed'));
  return speed !== undefined && speed > 0 ? speed : null;
}

export function readStatistics(sysClassNet: string, name: string): LinkCounters | undefined {
  const dir = join(sysClassNet, name, 'statistics');
  const rxBytes = readNumber(join(dir, 'rx_bytes'));
  const txBytes = readNumber(join(dir, 'tx_bytes'));
  if (rxBytes === undefined || txBytes === undefined) return undefined;
  return {
    rxBytes,
    txBytes,
    rxPackets: readNumber(join(dir, 'rx_packets')) ?? 0,
    txPackets: readNumber(join(dir, 'tx_packets')) ?? 0,
  };
}

/** Every interface's counters in one read of /proc/net/dev (per network namespace). */
export function parseProcNetDev(text: string): Map<string, LinkCounters> {
  const result = new Map<string, LinkCounters>();
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    // rx: bytes packets errs drop fifo frame compressed multicast | tx: bytes packets …
    if (f.length < 10) continue;
    result.set(name, {
      rxBytes: f[0] ?? 0,
      rxPackets: f[1] ?? 0,
      txBytes: f[8] ?? 0,
      txPackets: f[9] ?? 0,
    });
  }
  return result;
}

export function readProcNetDev(procNetDir: string): Map<string, LinkCounters> | undefined {
  const text = read(join(procNetDir, 'dev'));
  return text === undefined ? undefined : parseProcNetDev(text);
}

function hexToIPv4(hex: string): string {
  // /proc/net/route prints addresses in host byte order; every Linux laptop is little-endian.
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

/** Each interface's IPv4 default gateway from the main routing table. */
export function parseProcNetRoute(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    // Iface Destination Gateway Flags RefCnt Use Metric Mask …
    const [iface, destination, gateway, , , , , mask] = line.trim().split(/\s+/);
    if (!iface || destination !== '00000000' || mask !== '00000000' || !gateway) continue;
    if (gateway === '00000000' || result.has(iface)) continue;
    result.set(iface, hexToIPv4(gateway));
  }
  return result;
}

export function readGateways(procNetDir: string): Map<string, string> {
  const text = read(join(procNetDir, 'route'));
  return text === undefined ? new Map() : parseProcNetRoute(text);
}

/** Wi-Fi signal level in dBm per wireless interface, from /proc/net/wireless (no scan triggered). */
export function parseProcNetWireless(text: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const line of text.split('\n').slice(2)) {
    const match = /^\s*([^:\s]+):\s+\S+\s+\S+\s+(-?\d+)\.?/.exec(line);
    if (!match?.[1] || match[2] === undefined) continue;
    const level = Number(match[2]);
    // Drivers that report a relative level (0..100) rather than dBm give positive numbers.
    if (level < 0 && level > -120) result.set(match[1], level);
  }
  return result;
}

export function readWirelessSignal(procNetDir: string): Map<string, number> {
  const text = read(join(procNetDir, 'wireless'));
  return text === undefined ? new Map() : parseProcNetWireless(text);
}
