import { PathwiseError } from '../../common/errors.ts';

/**
 * Host names whose connections may reach only some addresses, whatever the name resolves to when
 * a connection is made. The engine's redirect guard (main/engine/RedirectGuard.ts) clears a
 * redirect target from a public link by the addresses its name resolves to, and the connection
 * resolves the name again: a name whose answer changes in between (DNS rebinding with a zero TTL)
 * would take the download into the user's own network. The guard leaves its rule here, and every
 * path's connector (happyEyeballs.ts) keeps to it. Process-wide, bounded, newest kept.
 */

/** Why `address` may not be reached (a word such as "loopback"), or null when it may. */
export type AddressRule = (address: string) => string | null;

const rules = new Map<string, AddressRule>();
const MAX_RULES = 1000;

export function keepHostTo(hostname: string, rule: AddressRule): void {
  const key = hostname.toLowerCase();
  rules.delete(key);
  rules.set(key, rule);
  if (rules.size > MAX_RULES) rules.delete(rules.keys().next().value as string);
}

/**
 * The addresses of `hostname` its rule lets a connection reach (all of them without a rule);
 * E_REDIRECT when its rule leaves none.
 */
export function reachable<T extends { address: string }>(hostname: string, targets: readonly T[]): T[] {
  const rule = rules.get(hostname.toLowerCase());
  if (!rule) return [...targets];
  const allowed = targets.filter((t) => rule(t.address) === null);
  const [refused] = targets.filter((t) => rule(t.address) !== null);
  if (allowed.length > 0 || !refused) return allowed;
  throw new PathwiseError(
    'E_REDIRECT',
    `${hostname} now leads to ${refused.address}, a ${rule(refused.address)} address, though it led to the internet when the redirect to it was checked; Pathwise does not let a public link reach into this machine or its network (DNS rebinding).`,
  );
}
