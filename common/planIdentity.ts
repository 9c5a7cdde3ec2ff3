/**
 * Which plan a network path is on (issue 20 case 14). A plan is for what the user pays for, not
 * for an interface name: a modem's SIM (`sim:<IMSI or ICCID>`, from ModemManager), a Wi-Fi
 * network (`ssid:<name>`, a phone's hotspot) or a network adapter (`mac:<address>`). The monitor
 * gives each path the strongest identity it can read (`PathInfo.identity`) and its adapter's
 * address (`PathInfo.mac`); a plan stores both as they were when it was made or first seen.
 * Shared by the ledger (budgets, cycle use) and the dashboard (which plan a path shows).
 *
 * A plan and a path are compared on the strongest kind both know (SIM, then SSID, then adapter):
 * equal is the same, different is not (another SIM, another network), and nothing in common
 * means "can't tell", where the interface name decides as it did before identities. The name
 * is otherwise only a label: a modem on another USB port (wwan0 → wwan1) keeps its plan.
 */

/** What a plan or a path is known by: its strongest identity and its adapter's address. */
export interface Identified {
  identity?: string | undefined;
  mac?: string | undefined;
}

export type IdentityKind = 'sim' | 'ssid' | 'mac';

const STRENGTH: readonly IdentityKind[] = ['sim', 'ssid', 'mac'];

/** The kind of an identity string ('sim:…', 'ssid:…', 'mac:…'); null for anything else. */
export function identityKind(identity: string): IdentityKind | null {
  const kind = identity.slice(0, identity.indexOf(':'));
  return (STRENGTH as readonly string[]).includes(kind) ? (kind as IdentityKind) : null;
}

/**
 * `mac:<address>` for an address burnt into the hardware; null for none, all zeros, or a locally
 * administered one (set by software: randomised Wi-Fi, a phone's USB tether that picks a new one
 * each time), which says nothing about what is plugged in.
 */
export function macIdentity(mac: string | undefined): string | null {
  if (!mac) return null;
  const hex = mac.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 12 || /^0+$/.test(hex) || /^f+$/.test(hex)) return null;
  if ((parseInt(hex.slice(0, 2), 16) & 0x02) !== 0) return null;
  return `mac:${hex.match(/../g)?.join(':')}`;
}

/** Every identity of a plan or path, kind → identity (the adapter's address as a `mac:` one). */
function identitiesOf(x: Identified): Map<IdentityKind, string> {
  const found = new Map<IdentityKind, string>();
  const kind = x.identity ? identityKind(x.identity) : null;
  if (x.identity && (kind === 'sim' || kind === 'ssid')) found.set(kind, x.identity);
  const mac = macIdentity(x.mac) ?? (x.identity && kind === 'mac' ? macIdentity(x.identity.slice(4)) : null);
  if (mac) found.set('mac', mac);
  return found;
}

/** A plan's or path's identities, strongest first (what the ledger records per interface and day). */
export function identitiesIn(x: Identified): string[] {
  const found = identitiesOf(x);
  return STRENGTH.flatMap((kind) => found.get(kind) ?? []);
}

/**
 * Whether a plan is for a path: true or false on the strongest kind both know; null when they
 * share none (a plan from before identities, a path whose SIM can't be read here).
 */
export function samePayer(plan: Identified, path: Identified): boolean | null {
  const a = identitiesOf(plan);
  const b = identitiesOf(path);
  for (const kind of STRENGTH) {
    const x = a.get(kind);
    const y = b.get(kind);
    if (x !== undefined && y !== undefined) return x === y;
  }
  return null;
}

/** Whether a plan is tied to anything at all (plans from before identities are not). */
export function isTied(plan: Identified): boolean {
  return identitiesOf(plan).size > 0;
}

/** A path as plan lookup needs it. */
export interface NamedPath extends Identified {
  name: string;
}

/**
 * The key of the plan `path` is on, or null: a plan whose identity is the path's (the one kept
 * under the path's own name first), else the plan kept under the path's name, unless that plan
 * is for another SIM, network or adapter, or another path here now carries what it is for.
 */
export function planKeyFor<P extends Identified>(
  path: NamedPath,
  plans: Readonly<Record<string, P>>,
  others: readonly NamedPath[] = [],
): string | null {
  const keys = Object.keys(plans).sort((a, b) =>
    a === path.name ? -1 : b === path.name ? 1 : a < b ? -1 : 1,
  );
  for (const key of keys) {
    const plan = plans[key] as P;
    if (isTied(plan) && samePayer(plan, path) === true) return key;
  }
  const named = plans[path.name];
  if (!named || samePayer(named, path) === false) return null;
  if (others.some((o) => o.name !== path.name && samePayer(named, o) === true)) return null;
  return path.name;
}

/**
 * What a plan should store after `path`, the path it is on, was seen; null when it has that
 * already. A plan tied to nothing (from before identities) takes the path's identity and adapter;
 * a plan tied to the path's adapter takes the SIM or network read since. A path whose identity
 * isn't known yet (a Wi-Fi network not read) ties nothing.
 */
export function tieTo(plan: Identified, path: Identified): { identity: string; mac?: string } | null {
  const kind = path.identity ? identityKind(path.identity) : null;
  if (!path.identity || !kind) return null;
  const mac = macIdentity(path.mac)?.slice(4) ?? plan.mac;
  const tie = { identity: path.identity, ...(mac ? { mac } : {}) };
  const strongest = identitiesIn(plan)[0];
  if (!strongest) return tie;
  if (samePayer(plan, path) !== true) return null;
  const had = identityKind(strongest) as IdentityKind;
  return STRENGTH.indexOf(kind) < STRENGTH.indexOf(had) ? tie : null;
}

/**
 * What a plan is tied to, in words for the plan editor: "SIM 2620…", "Wi-Fi “PhoneHotspot”",
 * "this adapter (MAC 00:1b:…)"; null for a plan tied to nothing yet.
 */
export function describeIdentity(plan: Identified): string | null {
  const ids = identitiesOf(plan);
  const sim = ids.get('sim');
  if (sim) {
    const number = sim.slice(4);
    return `SIM ${number.length > 4 ? `${number.slice(0, 4)}…` : number}`;
  }
  const ssid = ids.get('ssid');
  if (ssid) return `Wi-Fi “${ssid.slice(5)}”`;
  const mac = ids.get('mac');
  if (mac) return `this adapter (MAC ${mac.slice(4)})`;
  return null;
}
