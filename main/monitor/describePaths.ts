import type { PathHealth, PathInfo, PathType, Preference } from '../../common/contract.ts';
import { classifyInterface, defaultMetered } from './classify.ts';
import type { CounterState } from './CounterSampler.ts';
import type { LinkFacts, Route } from './linuxLinks.ts';
import type { LinkState } from './LinkTable.ts';
import type { NmMetered } from './networkManager.ts';
import { pathIdentity } from './pathIdentity.ts';
import { NOT_PROBED } from './ProbeScheduler.ts';
import type { InterfaceDetails } from './SystemDetails.ts';
import { rideOnUnderlay } from './vpnUnderlay.ts';

/** What the user set for one path in the settings: it wins over anything detected. */
export interface PathOverride {
  type?: PathType | undefined;
  metered?: boolean | undefined;
}

/** Everything the monitor has gathered, as one snapshot is built from it. */
export interface PathSources {
  links: ReadonlyMap<string, LinkState>;
  facts: ReadonlyMap<string, LinkFacts>;
  details: ReadonlyMap<string, InterfaceDetails>;
  gateways: ReadonlyMap<string, string>;
  /** The main table's IPv4 routes (Linux; empty elsewhere): where a VPN's tunnel leaves. */
  routes: readonly Route[];
  speeds: ReadonlyMap<string, number | null>;
  signals: ReadonlyMap<string, number>;
  nmMetered: ReadonlyMap<string, NmMetered>;
  /** Interface → the SIM in its modem (`sim:…`, ModemManager); absent where it can't be read. */
  sims?: ReadonlyMap<string, string> | undefined;
  counters: (name: string) => CounterState | undefined;
  health: (name: string) => PathHealth | undefined;
  probeBytes: (name: string) => { sent: number; received: number } | undefined;
  /** When each down path went down (its offline health is dated then). */
  downSince: ReadonlyMap<string, number>;
  preferences: Record<string, Preference>;
  overrides: Record<string, PathOverride>;
  /** A probe URL is set: probeable paths carry a health, 'unknown' until probed. */
  probing: boolean;
  now: number;
}

/** The snapshot: one PathInfo per link, in the links' order; each VPN says what it rides on. */
export function describePaths(sources: PathSources): PathInfo[] {
  const paths = [...sources.links].map(([name, link]) => describePath(name, link, sources));
  const osDefault = [...sources.details.values()].find((d) => d.isDefault)?.name;
  return rideOnUnderlay(paths, sources.routes, osDefault, sources.preferences);
}

function describePath(name: string, link: LinkState, s: PathSources): PathInfo {
  const facts = s.facts.get(name);
  const detail = s.details.get(name);
  const gateway = s.gateways.get(name) ?? null;
  const override = s.overrides[name] ?? {};
  const type = override.type ?? detectType(name, facts, detail, gateway);
  const { metered, meteredSource } = meteredOf(override, s.nmMetered.get(name), type);
  const path: PathInfo = {
    name,
    type,
    addresses: link.addresses,
    up: link.up,
    metered,
    meteredSource,
    preference: s.preferences[name] ?? defaultPreference(type, metered),
    speedMbps: s.speeds.get(name) ?? detail?.speedMbps ?? null,
    gateway,
  };
  const mac = facts?.mac ?? detail?.mac;
  if (mac) path.mac = mac;
  const mtu = facts?.mtu ?? detail?.mtu;
  if (mtu !== undefined) path.mtu = mtu;
  if (facts?.driver) path.driver = facts.driver;
  if (type === 'wifi') {
    path.ssid = detail?.ssid ?? null;
    path.signalDbm = s.signals.get(name) ?? detail?.signalDbm ?? null;
  }
  const identity = pathIdentity({ type, mac, ssid: path.ssid, sim: s.sims?.get(name) });
  if (identity) path.identity = identity;
  const counters = s.counters(name);
  if (counters) {
    path.rxBytes = counters.rxBytes;
    path.txBytes = counters.txBytes;
    path.rxRate = Math.round(counters.rxRate);
    path.txRate = Math.round(counters.txRate);
  }
  if (s.probing && !NOT_PROBED.has(type)) path.health = healthOf(name, link, s);
  const probed = s.probeBytes(name);
  if (probed) path.probeBytes = probed.sent + probed.received;
  return path;
}

/** sysfs facts where there are any (Linux), systeminformation's view otherwise. */
function detectType(
  name: string,
  facts: LinkFacts | undefined,
  detail: InterfaceDetails | undefined,
  gateway: string | null,
): PathType {
  return classifyInterface({
    name,
    driver: facts?.driver,
    arpType: facts?.arpType,
    devType: facts?.devType,
    wireless: facts?.wireless || detail?.kind === 'wireless',
    tun: facts?.tun,
    bridge: facts?.bridge,
    gateway: gateway ?? undefined,
    virtual: facts ? facts.virtual : detail?.virtual,
  });
}

/**
 * Bridges and veths carry containers' and VMs' traffic inside the machine: never a download path
 * unless the user says so (the engine leaves them out too). Metered paths are a backup.
 */
function defaultPreference(type: PathType, metered: boolean): Preference {
  if (type === 'virtual') return 'never';
  return metered ? 'backup' : 'always';
}

/** The user's word first, then NetworkManager's when it is sure, then the type's default. */
function meteredOf(
  override: PathOverride,
  nm: NmMetered | undefined,
  type: PathType,
): { metered: boolean; meteredSource: NonNullable<PathInfo['meteredSource']> } {
  if (override.metered !== undefined) return { metered: override.metered, meteredSource: 'user' };
  if (nm === 'yes' || nm === 'no') return { metered: nm === 'yes', meteredSource: 'os' };
  return { metered: defaultMetered(type), meteredSource: 'type' };
}

/** A down link is offline without asking; an up one has its last probe's word, or 'unknown'. */
function healthOf(name: string, link: LinkState, s: PathSources): PathHealth {
  if (!link.up) {
    return {
      status: 'offline',
      rttMs: null,
      checkedAt: s.downSince.get(name) ?? s.now,
      since: s.downSince.get(name) ?? s.now,
      detail: 'The link is down.',
    };
  }
  return s.health(name) ?? { status: 'unknown', rttMs: null, checkedAt: null };
}
