import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net, { isIP } from 'node:net';

/**
 * The network rule for every test worker: traffic only to loopback or to the benchmarking range
 * 198.18.0.0/15 the namespace labs use. A test that forgets to point the probe (or anything
 * else) at a lab address fails on the spot instead of reaching the internet; the product itself
 * has no test-runner branch. Child processes get a lab probe URL through test/support/cli.ts.
 */
export function isLabHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  if (isIP(bare) !== 4) return false;
  const [a, b] = bare.split('.').map(Number);
  return a === 127 || (a === 198 && (b === 18 || b === 19));
}

type ConnectArgs = Parameters<net.Socket['connect']>;

function hostOf(args: unknown[]): string | undefined {
  const [first, second] = args;
  if (Array.isArray(first)) return hostOf(first);
  if (first && typeof first === 'object') {
    const options = first as { host?: string; path?: string };
    return options.path !== undefined ? undefined : (options.host ?? 'localhost');
  }
  if (typeof first === 'number') return typeof second === 'string' ? second : 'localhost';
  return undefined; // a path: a Unix socket
}

process.env['PATHWISE_PROBE_URL'] ??= 'http://127.0.0.1:9/generate_204';

// Nor through the machine's proxy: the environment's (what a `pathwise get` a test runs would use)
// and, through XDG_CURRENT_DESKTOP, the desktop's (the app's); tests that want one set their own.
for (const name of ['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy', 'XDG_CURRENT_DESKTOP']) {
  delete process.env[name];
  delete process.env[name.toUpperCase()];
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: ConnectArgs) {
  const host = hostOf(args);
  if (host !== undefined && !isLabHost(host)) {
    throw new Error(`Tests reach only loopback and 198.18.0.0/15, not ${host}.`);
  }
  return connect.apply(this, args);
} as typeof connect;

// Name lookups leave the machine too (to the resolver): only lab names resolve.
const refuseLookup = (hostname: string): Error =>
  Object.assign(new Error(`Tests resolve only loopback and lab names, not ${hostname}.`), {
    code: 'ENOTFOUND',
  });
const lookup = dns.lookup;
dns.lookup = function guardedLookup(hostname: string, ...rest: unknown[]) {
  if (isLabHost(hostname) || isIP(hostname)) return (lookup as (...a: unknown[]) => void)(hostname, ...rest);
  const callback = rest.at(-1) as (error: Error) => void;
  process.nextTick(() => callback(refuseLookup(hostname)));
} as typeof dns.lookup;
const lookupPromise = dns.promises.lookup;
dns.promises.lookup = function guardedLookup(hostname: string, ...rest: unknown[]) {
  if (isLabHost(hostname) || isIP(hostname))
    return (lookupPromise as (...a: unknown[]) => unknown)(hostname, ...rest);
  return Promise.reject(refuseLookup(hostname));
} as typeof dns.promises.lookup;
syncBuiltinESMExports();
