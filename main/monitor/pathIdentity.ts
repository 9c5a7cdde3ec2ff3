/**
 * What is paid for on each path (issue 20 case 14), so a plan follows it and not the interface's
 * name: the modem's SIM where ModemManager tells it (`sim:<IMSI>`, else `sim:<ICCID>`), the Wi-Fi
 * network for Wi-Fi (`ssid:<name>`: a phone's hotspot), the adapter's burnt-in address otherwise
 * (`mac:<address>`). See common/planIdentity.ts for how plans are matched to paths.
 */
import { execFile } from 'node:child_process';
import type { PathType } from '../../common/contract.ts';
import { macIdentity } from '../../common/planIdentity.ts';
import { findExecutable } from './LinkWatcher.ts';

/** `mmcli -K` output: each key's value, and each list's values in order (`key.value[n]`). */
export function parseMmcliKeyValues(text: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^\s*([a-z0-9.\-_]+?)(?:\.value\[(\d+)\])?\s+:\s?(.*)$/i.exec(line);
    if (!match) continue;
    const [, key, index, raw] = match as unknown as [string, string, string | undefined, string];
    const value = raw.trim();
    if (value === '--' || key.endsWith('.length')) continue;
    const list = values.get(key) ?? [];
    if (index === undefined) list.splice(0, list.length, value);
    else list[Number(index) - 1] = value;
    values.set(key, list);
  }
  return values;
}

/** The modems' D-Bus paths in `mmcli -L -K`. */
export function parseMmcliModemList(text: string): string[] {
  return (parseMmcliKeyValues(text).get('modem-list') ?? []).filter((p) => p.startsWith('/'));
}

/** A modem's network interfaces (its `(net)` ports) and its SIM's D-Bus path, from `mmcli -m X -K`. */
export function parseMmcliModem(text: string): { interfaces: string[]; sim: string | null } {
  const values = parseMmcliKeyValues(text);
  const interfaces = (values.get('modem.generic.ports') ?? [])
    .map((port) => /^(\S+)\s+\(net\)$/.exec(port)?.[1])
    .filter((name): name is string => name !== undefined);
  const sim = values.get('modem.generic.sim')?.[0] ?? null;
  return { interfaces, sim: sim && sim.startsWith('/') ? sim : null };
}

/**
 * A SIM's identity from `mmcli -i X -K`: the IMSI (the subscription), else the ICCID (the card;
 * readable even while the SIM is locked); null when neither is given.
 */
export function parseMmcliSim(text: string): string | null {
  const values = parseMmcliKeyValues(text);
  const digits = (key: string): string | null => {
    const value = values.get(key)?.[0];
    return value && /^[0-9A-Fa-f]{6,22}$/.test(value) ? value.toUpperCase() : null;
  };
  const id = digits('sim.properties.imsi') ?? digits('sim.properties.iccid');
  return id ? `sim:${id}` : null;
}

type Run = (args: string[]) => Promise<string>;

/**
 * Reads which SIM each modem's interface carries through ModemManager's `mmcli` (Linux): one call
 * for the list, one per modem and one per SIM, only when the monitor reads its slow details (on
 * start, when a path appears, every few minutes), never on the link-state tick.
 */
export class ModemIdentities {
  private readonly run: Run | null;
  private sims: ReadonlyMap<string, string> = new Map();

  constructor(options: { mmcliPath?: string | null; run?: Run } = {}) {
    const mmcli =
      options.mmcliPath !== undefined
        ? options.mmcliPath
        : process.platform === 'linux'
          ? findExecutable('mmcli')
          : null;
    this.run = options.run ?? (mmcli ? (args) => execMmcli(mmcli, args) : null);
  }

  get available(): boolean {
    return this.run !== null;
  }

  /** Interface → `sim:…` as last read (empty before, and without ModemManager). */
  current(): ReadonlyMap<string, string> {
    return this.sims;
  }

  async refresh(): Promise<void> {
    const run = this.run;
    if (!run) return;
    try {
      const sims = new Map<string, string>();
      for (const modem of parseMmcliModemList(await run(['-L', '-K']))) {
        const { interfaces, sim } = parseMmcliModem(await run(['-m', modem, '-K']));
        const identity = sim && interfaces.length > 0 ? parseMmcliSim(await run(['-i', sim, '-K'])) : null;
        if (identity) for (const name of interfaces) sims.set(name, identity);
      }
      this.sims = sims;
    } catch {
      // ModemManager not running, or a modem that went away while being read: the last answer stays.
    }
  }
}

function execMmcli(mmcli: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      mmcli,
      args,
      { timeout: 5000, env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 1 << 20 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });
}

/** What the monitor knows of a path that says what is paid for on it. */
export interface IdentityFacts {
  type: PathType;
  /** The adapter's address (sysfs, or the OS's list). */
  mac?: string | undefined;
  /** The Wi-Fi network it is connected to, when known. */
  ssid?: string | null | undefined;
  /** The SIM in the modem behind it (ModemManager), when known. */
  sim?: string | undefined;
}

/** Paths nothing is paid for on: inside the machine, or riding on another path. */
const NO_PLAN: ReadonlySet<PathType> = new Set<PathType>(['loopback', 'virtual', 'vpn']);

/**
 * The strongest identity of a path: its SIM, else (Wi-Fi) the network's SSID, else its adapter's
 * burnt-in address. A Wi-Fi path whose SSID isn't known yet has none: the adapter is not what a
 * hotspot plan is for. Undefined when nothing is known.
 */
export function pathIdentity(facts: IdentityFacts): string | undefined {
  if (NO_PLAN.has(facts.type)) return undefined;
  if (facts.sim) return facts.sim;
  if (facts.ssid) return `ssid:${facts.ssid}`;
  if (facts.type === 'wifi') return undefined;
  return macIdentity(facts.mac) ?? undefined;
}
