import type { NetworkInterfaceInfo } from 'node:os';
import {
  gatewaysOf,
  listLinks,
  readIfindex,
  readLinkFacts,
  readLinkSpeed,
  readLinkUp,
  readRoutes,
  readWirelessSignal,
  type LinkFacts,
  type Route,
} from './linuxLinks.ts';
import type { InterfaceDetails } from './SystemDetails.ts';

/** One interface as the last read saw it. */
export interface LinkState {
  up: boolean;
  addresses: string[];
}

export interface LinkTableOptions {
  sysClassNet: string;
  procNetDir: string;
  /** sysfs is there: link state, facts, speeds, gateways and signal come from the kernel. */
  linux: boolean;
  readAddresses: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
}

/**
 * Which interfaces exist and whether each is up, with its usable addresses, from sysfs (no
 * processes spawned), and beside them what changes less often: the device's facts (driver, type,
 * MAC), link speed, default gateways and Wi-Fi signal. Elsewhere than Linux the OS's address
 * list and systeminformation's details stand in.
 */
export class LinkTable {
  private readonly options: LinkTableOptions;
  links = new Map<string, LinkState>();
  readonly facts = new Map<string, LinkFacts>();
  speeds = new Map<string, number | null>();
  gateways = new Map<string, string>();
  /** The main table's IPv4 routes (Linux): where a VPN's tunnel leaves is read from them. */
  routes: Route[] = [];
  signals = new Map<string, number>();

  constructor(options: LinkTableOptions) {
    this.options = options;
  }

  /** Reads every interface again; `details` names interfaces where sysfs can't (not Linux). */
  read(details: ReadonlyMap<string, InterfaceDetails>): void {
    const { sysClassNet, procNetDir, linux } = this.options;
    const osAddresses = this.options.readAddresses();
    const names = (linux ? listLinks(sysClassNet) : undefined) ?? [
      ...new Set([...Object.keys(osAddresses), ...details.keys()]),
    ];
    const links = new Map<string, LinkState>();
    for (const name of names.sort()) {
      const addresses = usableAddresses(name, osAddresses[name] ?? []);
      const up = linux ? this.readLinuxLink(name) : upElsewhere(details.get(name), addresses);
      if (up === undefined) continue; // vanished between readdir and read
      links.set(name, { up, addresses });
    }
    for (const name of this.facts.keys()) if (!links.has(name)) this.facts.delete(name);
    if (linux) {
      this.routes = readRoutes(procNetDir);
      this.gateways = gatewaysOf(this.routes);
      this.signals = readWirelessSignal(procNetDir);
      this.speeds = new Map([...links.keys()].map((n) => [n, readLinkSpeed(sysClassNet, n)]));
    }
    this.links = links;
  }

  /** Cheap safety net between kernel events: one sysfs read per path; true when one flipped. */
  stateChanged(): boolean {
    for (const [name, link] of this.links) {
      if (readLinkUp(this.options.sysClassNet, name) !== link.up) return true;
    }
    return false;
  }

  private readLinuxLink(name: string): boolean | undefined {
    const { sysClassNet } = this.options;
    const up = readLinkUp(sysClassNet, name);
    if (up === undefined) return undefined;
    // Facts change only when the device is re-created (a re-plugged phone gets a new ifindex).
    const known = this.facts.get(name);
    if (!known || known.ifindex !== readIfindex(sysClassNet, name)) {
      this.facts.set(name, readLinkFacts(sysClassNet, name));
    }
    return up;
  }
}

/** Addresses a transfer can bind: loopback only on lo, and no IPv6 link-local ones. */
function usableAddresses(name: string, infos: NetworkInterfaceInfo[]): string[] {
  return infos
    .filter((a) => !a.internal || name === 'lo')
    .filter((a) => !(a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:')))
    .map((a) => a.address);
}

/** Elsewhere an interface without addresses is not usable; systeminformation knows more. */
function upElsewhere(detail: InterfaceDetails | undefined, addresses: string[]): boolean {
  return detail?.operstate === 'down' ? false : addresses.length > 0;
}
