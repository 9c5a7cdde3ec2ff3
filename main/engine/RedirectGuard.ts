import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { PathwiseError } from '../../common/errors.ts';
import { keepHostTo } from '../network/hostRules.ts';
import { networkError, TransferErrorCodes } from './transferErrors.ts';

/** Where an address leads: the internet, or one of the ranges a public link must not redirect into. */
export type AddressScope = 'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'shared';

/** Every address a host name resolves to (an IP literal is its own answer). */
export type AddressLookup = (host: string) => Promise<string[]>;
export type AddressClassifier = (address: string) => AddressScope;

/** How the guard resolves and judges addresses; tests inject both so nothing leaves loopback. */
export interface AddressRules {
  lookup?: AddressLookup;
  classify?: AddressClassifier;
}

function ranges(list: Array<[string, number, 'ipv4' | 'ipv6']>): BlockList {
  const blocks = new BlockList();
  for (const [network, prefix, family] of list) blocks.addSubnet(network, prefix, family);
  return blocks;
}

const SCOPES: Array<[Exclude<AddressScope, 'public'>, BlockList]> = [
  [
    'loopback',
    ranges([
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ]),
  ],
  [
    'private',
    ranges([
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['fc00::', 7, 'ipv6'],
    ]),
  ],
  [
    'link-local',
    ranges([
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ]),
  ],
  [
    'unspecified',
    ranges([
      ['0.0.0.0', 8, 'ipv4'],
      ['::', 128, 'ipv6'],
    ]),
  ],
  // Carrier-grade NAT: the operator's side of the network, never a server on the internet.
  ['shared', ranges([['100.64.0.0', 10, 'ipv4']])],
];

/**
 * Which scope an IP address is in; anything outside the ranges above is public. An IPv4-mapped
 * IPv6 address (`::ffff:7f00:1`) is judged as the IPv4 address it carries (BlockList does so).
 */
export function classifyAddress(address: string): AddressScope {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  for (const [scope, blocks] of SCOPES) if (blocks.check(address, family)) return scope;
  return 'public';
}

/** A URL's host as an address or a name to look up (`[::1]` → `::1`). */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

async function systemLookup(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}

/**
 * Keeps a public link from redirecting the download into the user's own networks (SSRF): a
 * redirect whose target resolves to a loopback, private, link-local, unspecified or carrier-NAT
 * address is refused unless the link the user gave leads into such a network itself. The check is
 * on the addresses the target's name resolves to, not on how the name reads, and on every one of
 * them (a name with one public and one private address is refused).
 *
 * The connection resolves the name again; a name whose answer changes between the two look-ups
 * (DNS rebinding with a zero TTL) is held by the rule the guard leaves for every path's connector
 * (main/network/hostRules.ts): it may reach public addresses only.
 */
export class RedirectGuard {
  private readonly url: string;
  private readonly lookup: AddressLookup;
  private readonly classify: AddressClassifier;
  private originPrivate: Promise<boolean> | null = null;

  constructor(url: string, rules: AddressRules = {}) {
    this.url = url;
    this.lookup = rules.lookup ?? systemLookup;
    this.classify = rules.classify ?? classifyAddress;
  }

  /** Throws E_REDIRECT when following `from` → `to` would take a public link into a private network. */
  async check(from: URL, to: URL, pathName: string): Promise<void> {
    if (await this.linkIsPrivate()) return;
    const host = hostOf(to);
    let addresses: string[];
    try {
      addresses = await this.resolve(host);
    } catch (error) {
      throw networkError(error, { host, path: pathName });
    }
    for (const address of addresses) {
      const scope = this.classify(address);
      if (scope === 'public') continue;
      const where = address === host ? `${address}` : `${host} (${address})`;
      throw new PathwiseError(
        TransferErrorCodes.redirect,
        `${from.href} redirects to ${to.href}, which leads to ${where}, a ${scope} address, while the link itself is on the internet; Pathwise does not let a public link reach into this machine or its network.`,
      );
    }
    // The connection resolves the name again: it must find the internet there too (hostRules.ts).
    if (!isIP(host)) {
      keepHostTo(host, (address) => {
        const scope = this.classify(address);
        return scope === 'public' ? null : scope;
      });
    }
  }

  /** The link the user gave leads into a non-public network (it then may redirect within it). */
  private linkIsPrivate(): Promise<boolean> {
    this.originPrivate ??= (async () => {
      try {
        const addresses = await this.resolve(hostOf(new URL(this.url)));
        return addresses.some((address) => this.classify(address) !== 'public');
      } catch {
        // Unknown is treated as public: the stricter rule holds.
        return false;
      }
    })();
    return this.originPrivate;
  }

  private async resolve(host: string): Promise<string[]> {
    if (isIP(host)) return [host];
    const addresses = await this.lookup(host);
    if (addresses.length === 0) {
      throw Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' });
    }
    return addresses;
  }
}
