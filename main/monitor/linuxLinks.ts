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
  /** A bridge (/sys/class/net/X/bridge exists): docker0, br-…, virbr0, whatever its name. */
  bridge: boolean;
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
    bridge: existsSync(join(dir, 'bridge')),
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

/** One IPv4 route of the main table, as /proc/net/route lists it. */
export interface Route {
  iface: string;
  destination: string;
  /** null: on-link (no gateway). */
  gateway: string | null;
  /** Prefix length of the route's mask (0: a default route, 32: a host route). */
  prefix: number;
  metric: number;
}

/** The main table's IPv4 routes, in the kernel's order. */
export function parseRouteTable(text: string): Route[] {
  const routes: Route[] = [];
  for (const line of text.split('\n').slice(1)) {
    // Iface Destination Gateway Flags RefCnt Use Metric Mask …
    const [iface, destination, gateway, , , , metric, mask] = line.trim().split(/\s+/);
    if (!iface || !destination || !gateway || !mask) continue;
    const bits = Number.parseInt(mask, 16);
    if (!Number.isFinite(bits)) continue;
    routes.push({
      iface,
      destination: hexToIPv4(destination),
      gateway: gateway === '00000000' ? null : hexToIPv4(gateway),
      prefix: popCount(bits),
      metric: Number(metric) || 0,
    });
  }
  return routes;
}

function popCount(n: number): number {
  let count = 0;
  for (let v = n >>> 0; v !== 0; v >>>= 1) count += v & 1;
  return count;
}

/** Each interface's IPv4 default gateway from the main routing table. */
export function parseProcNetRoute(text: string): Map<string, string> {
  return gatewaysOf(parseRouteTable(text));
}

/** Each interface's first default gateway among these routes. */
export function gatewaysOf(routes: readonly Route[]): Map<string, string> {
  const result = new Map<string, string>();
  for (const r of routes) {
    if (r.prefix !== 0 || r.destination !== '0.0.0.0' || r.gateway === null || result.has(r.iface)) continue;
    result.set(r.iface, r.gateway);
  }
  return result;
}

export function readRoutes(procNetDir: string): Route[] {
  const text = read(join(procNetDir, 'route'));
  return text === undefined ? [] : parseRouteTable(text);
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
