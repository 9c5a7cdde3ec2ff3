import { EventEmitter } from 'node:events';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type {
  PathEvent,
  PathHealth,
  PathInfo,
  PathType,
  Preference,
  Settings,
} from '../../common/contract.ts';
import type { PathBytesEvent } from '../base/budget.ts';
import { classifyInterface, defaultMetered } from './classify.ts';
import { HealthProber, type HealthProberOptions } from '../network/HealthProber.ts';
import {
  listLinks,
  readGateways,
  readIfindex,
  readLinkFacts,
  readLinkSpeed,
  readLinkUp,
  readProcNetDev,
  readStatistics,
  readWirelessSignal,
  type LinkCounters,
  type LinkFacts,
} from './linuxLinks.ts';
import { LinkWatcher } from './LinkWatcher.ts';
import { NetworkManagerMetered, type NmMetered } from './networkManager.ts';
import { diffPaths } from './pathEvents.ts';
import { SystemDetails, type InterfaceDetails } from './SystemDetails.ts';

export interface PathOverride {
  type?: PathType | undefined;
  metered?: boolean | undefined;
}

export interface PathMonitorOptions {
  /** Where link state is read from; tests point this at a fake tree. */
  sysClassNet?: string;
  /** Where /proc/net/{dev,route,wireless} are read from. */
  procNetDir?: string;
  /** Addresses per interface; os.networkInterfaces unless a test fakes them. */
  networkInterfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** Link-state poll when the kernel can't wake us (no netlink watcher). */
  pollIntervalMs?: number;
  /** OS byte counters and rates; 0 turns them off. */
  countersIntervalMs?: number;
  /** A full re-read even while the netlink watcher runs (speed, gateways, signal; a safety net). */
  safetyRefreshMs?: number;
  /** systeminformation and NetworkManager details (they spawn processes): this often, and on change. */
  detailsIntervalMs?: number;
  /** 'netlink' wakes on kernel events (Linux, needs `ip`); 'poll' reads sysfs on a timer. */
  linkWatch?: 'netlink' | 'poll';
  /** Use systeminformation for speed, SSID, signal (default on; tests of fake trees turn it off). */
  systemDetails?: boolean;
  networkManager?: NetworkManagerMetered | null;
  preferences?: () => Record<string, Preference>;
  overrides?: () => Record<string, PathOverride>;
  /** No URL, no probing: a monitor never probes the internet unless told where to. */
  probeUrl?: () => string | undefined;
  probeIntervalMs?: () => number;
  probe?: Omit<HealthProberOptions, 'url'>;
}

export interface PathRates {
  rxRate: number;
  txRate: number;
}

/** An interface's OS byte counters (all traffic of the machine on it) at the last tick. */
export interface PathTotals {
  rxBytes: number;
  txBytes: number;
}

interface PathMonitorEvents {
  /** The full list, whenever something a user would see changed. */
  paths: [PathInfo[]];
  /** One change: path-added/-removed/-up/-down, address-changed, health-changed. */
  event: [PathEvent];
  /** Every counters tick: each up path's OS rates (whole machine, bytes per second). */
  rates: [{ t: number; paths: Record<string, PathRates> }];
  /** Bytes a health probe moved on a path, for the ledger (it counts them as the app's own). */
  probeBytes: [PathBytesEvent];
}

interface CounterState extends LinkCounters {
  at: number;
  rxRate: number;
  txRate: number;
  /** Consecutive ticks that sent packets and received none: a hint of a silent blackhole. */
  silentTicks: number;
}

interface ProbeState {
  timer: NodeJS.Timeout | undefined;
  dueAt: number;
  running: Promise<void> | undefined;
  lastAt: number;
}

const NOT_PROBED = new Set<PathType>(['loopback', 'virtual']);

/**
 * Knows which network paths this machine has and how each is: type, addresses, up/down, speed,
 * Wi-Fi SSID and signal, metered, OS counters and rates, and health from a probe bound to the
 * path. Link state comes from sysfs (no processes spawned) and is re-read the moment the kernel
 * announces a change (a long-lived `ip monitor` child), with a sysfs poll as the fallback;
 * systeminformation and NetworkManager, which spawn processes, are asked only on change and at a
 * slow cadence. Emits the full list on `paths` and each change on `event`.
 */
export class PathMonitor extends EventEmitter<PathMonitorEvents> {
  private readonly sysClassNet: string;
  private readonly procNetDir: string;
  private readonly linux: boolean;
  private readonly readAddresses: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  private readonly pollIntervalMs: number;
  private readonly countersIntervalMs: number;
  private readonly safetyRefreshMs: number;
  private readonly detailsIntervalMs: number;
  private readonly preferences: () => Record<string, Preference>;
  private readonly overrides: () => Record<string, PathOverride>;
  private readonly probeUrl: () => string | undefined;
  private readonly probeIntervalMs: () => number;
  private readonly prober: HealthProber;
  private readonly watcher: LinkWatcher | undefined;
  private readonly system: SystemDetails | undefined;
  private readonly networkManager: NetworkManagerMetered | null;

  private current: PathInfo[] = [];
  private lastKey = '';
  private running = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private linkTimer: NodeJS.Timeout | undefined;
  private refreshSoonTimer: NodeJS.Timeout | undefined;
  private detailsSoonTimer: NodeJS.Timeout | undefined;
  private lastCountersAt = 0;

  private links = new Map<string, { up: boolean; addresses: string[] }>();
  private readonly facts = new Map<string, LinkFacts>();
  private speeds = new Map<string, number | null>();
  private gateways = new Map<string, string>();
  private signals = new Map<string, number>();
  private readonly counters = new Map<string, CounterState>();
  private readonly totals = new Map<string, PathTotals>();
  private details = new Map<string, InterfaceDetails>();
  private nmMetered = new Map<string, NmMetered>();
  private readonly health = new Map<string, PathHealth>();
  private readonly downSince = new Map<string, number>();
  private readonly probes = new Map<string, ProbeState>();
  private readonly probeTotals = new Map<string, { sent: number; received: number }>();

  constructor(options: PathMonitorOptions = {}) {
    super();
    this.sysClassNet = options.sysClassNet ?? '/sys/class/net';
    this.procNetDir = options.procNetDir ?? '/proc/net';
    this.linux = listLinks(this.sysClassNet) !== undefined;
    this.readAddresses = options.networkInterfaces ?? networkInterfaces;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.countersIntervalMs = options.countersIntervalMs ?? 1000;
    this.safetyRefreshMs = options.safetyRefreshMs ?? 30_000;
    this.detailsIntervalMs = options.detailsIntervalMs ?? 600_000;
    this.preferences = options.preferences ?? (() => ({}));
    this.overrides = options.overrides ?? (() => ({}));
    this.probeUrl = options.probeUrl ?? (() => undefined);
    this.probeIntervalMs = options.probeIntervalMs ?? (() => 30_000);
    // netlink only describes this machine's kernel: a fake sysfs tree must be polled.
    const realSys = options.sysClassNet === undefined;
    const linkWatch =
      options.linkWatch ?? (process.env['PATHWISE_LINK_WATCH'] === 'poll' ? 'poll' : 'netlink');
    this.watcher = this.linux && realSys && linkWatch === 'netlink' ? new LinkWatcher() : undefined;
    this.system = options.systemDetails === false ? undefined : new SystemDetails();
    this.networkManager =
      options.networkManager !== undefined
        ? options.networkManager
        : options.systemDetails === false
          ? null
          : new NetworkManagerMetered();
    this.prober = new HealthProber({
      url: () => this.probeUrl() ?? '',
      ...(this.linux ? { txBytes: (name: string) => this.readCounters([name]).get(name)?.txBytes } : {}),
      ...options.probe,
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.watcher) {
      this.watcher.on('change', () => this.refreshSoon());
      this.watcher.on('unavailable', () => this.scheduleLinkTimer());
      this.watcher.start();
    }
    this.readLinks();
    this.readCountersTick(Date.now());
    this.publish();
    this.scheduleLinkTimer();
    this.every(this.safetyRefreshMs, () => this.refreshNow());
    if (this.system || this.networkManager?.available) {
      this.every(this.detailsIntervalMs, () => void this.refreshDetails());
      void this.refreshDetails();
    }
  }

  stop(): void {
    this.running = false;
    this.watcher?.stop();
    this.watcher?.removeAllListeners();
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    clearTimeout(this.linkTimer);
    clearTimeout(this.refreshSoonTimer);
    clearTimeout(this.detailsSoonTimer);
    for (const state of this.probes.values()) clearTimeout(state.timer);
    this.probes.clear();
    void this.system?.close();
  }

  snapshot(): PathInfo[] {
    return this.current;
  }

  /** Each up path's OS counters as of the last counters tick (fresher than snapshot()'s). */
  counterTotals(): ReadonlyMap<string, PathTotals> {
    return this.totals;
  }

  /** Link state now, or also details and a health probe of every path (the one-shot CLI). */
  async refresh(options: { details?: boolean; probe?: boolean } = {}): Promise<PathInfo[]> {
    this.readLinks();
    // While running, the tick owns the counters (a read in between would skew its rates).
    if (!this.running) this.readCountersTick(Date.now());
    this.publish();
    if (options.details) await this.refreshDetails();
    if (options.probe) {
      await Promise.all(
        this.current.filter((p) => this.probeable(p)).map((p) => this.runProbe(p.name, { retry: false })),
      );
    }
    return this.current;
  }

  /** Probe a path now (e.g. the engine saw it stall); resolves with its new health. */
  async probeNow(name: string): Promise<PathHealth | undefined> {
    const path = this.current.find((p) => p.name === name);
    if (!path || !this.probeable(path)) return path?.health;
    await this.runProbe(name);
    return this.current.find((p) => p.name === name)?.health;
  }

  /** Bytes health probes have moved on a path since start: what the ledger adds to the app's use. */
  probeBytes(name: string): { sent: number; received: number } {
    return { ...(this.probeTotals.get(name) ?? { sent: 0, received: 0 }) };
  }

  /** The `ip monitor` child's pid, for measuring the monitor's own CPU. */
  get watcherPid(): number | undefined {
    return this.watcher?.active ? this.watcher.pid : undefined;
  }

  // ─── Link state ──────────────────────────────────────────────────────────────────────────────

  private every(ms: number, run: () => void): void {
    if (!(ms > 0)) return;
    const timer = setInterval(run, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** With the netlink watcher the tick only samples counters and double-checks link state. */
  private scheduleLinkTimer(): void {
    clearTimeout(this.linkTimer);
    if (!this.running) return;
    const netlink = this.watcher?.active ?? false;
    const interval = netlink ? this.countersIntervalMs || 5000 : this.pollIntervalMs;
    this.linkTimer = setTimeout(() => {
      const now = Date.now();
      if (netlink && this.watcher?.active) this.checkLinkStates();
      else this.refreshNow();
      if (this.countersIntervalMs > 0 && now - this.lastCountersAt >= this.countersIntervalMs - 50) {
        this.readCountersTick(now);
        this.emitRates(now);
        this.noticeSilentPaths();
      }
      this.scheduleLinkTimer();
    }, interval);
    this.linkTimer.unref();
  }

  private refreshSoon(): void {
    // A burst of netlink lines (down + route flush + address) becomes one re-read.
    if (this.refreshSoonTimer) return;
    this.refreshSoonTimer = setTimeout(() => {
      this.refreshSoonTimer = undefined;
      this.refreshNow();
    }, 5);
    this.refreshSoonTimer.unref();
  }

  private refreshNow(): void {
    if (!this.running) return;
    this.readLinks();
    this.publish();
  }

  /** Cheap safety net between kernel events: one sysfs read per path. */
  private checkLinkStates(): void {
    for (const [name, link] of this.links) {
      if (readLinkUp(this.sysClassNet, name) !== link.up) {
        this.refreshNow();
        return;
      }
    }
  }

  private readLinks(): void {
    const osAddresses = this.readAddresses();
    const names = (this.linux ? listLinks(this.sysClassNet) : undefined) ?? [
      ...new Set([...Object.keys(osAddresses), ...this.details.keys()]),
    ];
    const links = new Map<string, { up: boolean; addresses: string[] }>();
    for (const name of names.sort()) {
      const addresses = (osAddresses[name] ?? [])
        .filter((a) => !a.internal || name === 'lo')
        .filter((a) => !(a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:')))
        .map((a) => a.address);
      let up: boolean;
      if (this.linux) {
        const state = readLinkUp(this.sysClassNet, name);
        if (state === undefined) continue; // vanished between readdir and read
        up = state;
        // Facts change only when the device is re-created (a re-plugged phone gets a new ifindex).
        const known = this.facts.get(name);
        if (!known || known.ifindex !== readIfindex(this.sysClassNet, name)) {
          this.facts.set(name, readLinkFacts(this.sysClassNet, name));
        }
      } else {
        // Elsewhere an interface without addresses is not usable; systeminformation knows more.
        const si = this.details.get(name)?.operstate;
        up = si === 'down' ? false : addresses.length > 0;
      }
      links.set(name, { up, addresses });
    }
    for (const name of this.facts.keys()) if (!links.has(name)) this.facts.delete(name);
    if (this.linux) {
      this.gateways = readGateways(this.procNetDir);
      this.signals = readWirelessSignal(this.procNetDir);
      this.speeds = new Map([...links.keys()].map((n) => [n, readLinkSpeed(this.sysClassNet, n)]));
    }
    this.links = links;
  }

  // ─── Counters ────────────────────────────────────────────────────────────────────────────────

  private readCounters(names: string[]): Map<string, LinkCounters> {
    const table = this.sysClassNet === '/sys/class/net' ? readProcNetDev(this.procNetDir) : undefined;
    const result = new Map<string, LinkCounters>();
    for (const name of names) {
      const c = table?.get(name) ?? readStatistics(this.sysClassNet, name);
      if (c) result.set(name, c);
    }
    return result;
  }

  private readCountersTick(now: number): void {
    if (!this.linux) return;
    this.lastCountersAt = now;
    const read = this.readCounters([...this.links.keys()]);
    for (const [name, c] of read) {
      const prev = this.counters.get(name);
      const dt = prev ? (now - prev.at) / 1000 : 0;
      // A counter that went backwards was reset (driver reload): restart the rate from here.
      const rxRate = prev && dt > 0 && c.rxBytes >= prev.rxBytes ? (c.rxBytes - prev.rxBytes) / dt : 0;
      const txRate = prev && dt > 0 && c.txBytes >= prev.txBytes ? (c.txBytes - prev.txBytes) / dt : 0;
      const sentOnly = prev !== undefined && c.txPackets > prev.txPackets && c.rxPackets === prev.rxPackets;
      this.counters.set(name, {
        ...c,
        at: now,
        rxRate,
        txRate,
        silentTicks: sentOnly ? (prev?.silentTicks ?? 0) + 1 : 0,
      });
    }
    for (const name of this.counters.keys()) if (!read.has(name)) this.counters.delete(name);
  }

  private emitRates(t: number): void {
    const paths: Record<string, PathRates> = {};
    this.totals.clear();
    for (const path of this.current) {
      if (!path.up || path.type === 'loopback') continue;
      const c = this.counters.get(path.name);
      paths[path.name] = { rxRate: Math.round(c?.rxRate ?? 0), txRate: Math.round(c?.txRate ?? 0) };
      if (c) this.totals.set(path.name, { rxBytes: c.rxBytes, txBytes: c.txBytes });
    }
    this.emit('rates', { t, paths });
  }

  /**
   * Packets going out and nothing coming back for two ticks looks like Wi-Fi that lost its
   * internet: probe now rather than at the next interval.
   */
  private noticeSilentPaths(): void {
    for (const path of this.current) {
      const c = this.counters.get(path.name);
      const status = path.health?.status;
      if (!c || c.silentTicks < 2 || !this.probeable(path)) continue;
      if (status !== 'good' && status !== 'degraded') continue;
      const state = this.probes.get(path.name);
      if (state && (state.running || Date.now() - state.lastAt < 3000)) continue;
      this.scheduleProbe(path.name, 0);
    }
  }

  // ─── Details that spawn processes ────────────────────────────────────────────────────────────

  private detailsSoon(): void {
    if (!this.running || this.detailsSoonTimer || (!this.system && !this.networkManager?.available)) return;
    this.detailsSoonTimer = setTimeout(() => {
      this.detailsSoonTimer = undefined;
      void this.refreshDetails();
    }, 1000);
    this.detailsSoonTimer.unref();
  }

  private async refreshDetails(): Promise<void> {
    const [details, metered] = await Promise.all([
      this.system?.details().catch(() => undefined),
      this.networkManager?.available ? this.networkManager.read() : Promise.resolve(undefined),
    ]);
    if (details) this.details = details;
    if (metered) this.nmMetered = metered;
    if (!this.linux) this.readLinks();
    this.publish();
  }

  // ─── Building the snapshot ───────────────────────────────────────────────────────────────────

  private build(): PathInfo[] {
    const preferences = this.preferences();
    const overrides = this.overrides();
    const probing = this.probeUrl() !== undefined;
    const now = Date.now();
    const paths: PathInfo[] = [];
    for (const [name, link] of this.links) {
      const facts = this.facts.get(name);
      const detail = this.details.get(name);
      const gateway = this.gateways.get(name) ?? null;
      const detected = classifyInterface({
        name,
        driver: facts?.driver,
        arpType: facts?.arpType,
        devType: facts?.devType,
        wireless: facts?.wireless || detail?.kind === 'wireless',
        tun: facts?.tun,
        gateway: gateway ?? undefined,
        virtual: facts ? facts.virtual : detail?.virtual,
      });
      const override = overrides[name] ?? {};
      const type = override.type ?? detected;
      const nm = this.nmMetered.get(name);
      let metered: boolean;
      let meteredSource: PathInfo['meteredSource'];
      if (override.metered !== undefined) {
        metered = override.metered;
        meteredSource = 'user';
      } else if (nm === 'yes' || nm === 'no') {
        metered = nm === 'yes';
        meteredSource = 'os';
      } else {
        metered = defaultMetered(type);
        meteredSource = 'type';
      }
      const counters = this.counters.get(name);
      const wifi = type === 'wifi';
      const path: PathInfo = {
        name,
        type,
        addresses: link.addresses,
        up: link.up,
        metered,
        meteredSource,
        preference: preferences[name] ?? (metered ? 'backup' : 'always'),
        speedMbps: this.speeds.get(name) ?? detail?.speedMbps ?? null,
        gateway,
      };
      const mac = facts?.mac ?? detail?.mac;
      if (mac) path.mac = mac;
      const mtu = facts?.mtu ?? detail?.mtu;
      if (mtu !== undefined) path.mtu = mtu;
      if (facts?.driver) path.driver = facts.driver;
      if (wifi) {
        path.ssid = detail?.ssid ?? null;
        path.signalDbm = this.signals.get(name) ?? detail?.signalDbm ?? null;
      }
      if (counters) {
        path.rxBytes = counters.rxBytes;
        path.txBytes = counters.txBytes;
        path.rxRate = Math.round(counters.rxRate);
        path.txRate = Math.round(counters.txRate);
      }
      if (probing && !NOT_PROBED.has(type)) {
        if (!link.up) {
          path.health = {
            status: 'offline',
            rttMs: null,
            checkedAt: this.downSince.get(name) ?? now,
            detail: 'The link is down.',
          };
        } else {
          path.health = this.health.get(name) ?? { status: 'unknown', rttMs: null, checkedAt: null };
        }
      }
      const probed = this.probeTotals.get(name);
      if (probed) path.probeBytes = probed.sent + probed.received;
      paths.push(path);
    }
    return paths;
  }

  /** Rebuild, announce what changed, and start or stop health probes to match. */
  private publish(): void {
    const previous = this.current;
    const next = this.build();
    const now = new Date();
    const events = diffPaths(previous, next, now);
    this.current = next;
    for (const event of events) this.react(event);
    // Counters and probe timestamps move constantly; the `paths` event is for what a user sees.
    const key = JSON.stringify(
      next.map(({ rxBytes: _rx, txBytes: _tx, rxRate: _rr, txRate: _tr, health, ...rest }) => ({
        ...rest,
        health: health && { ...health, checkedAt: null },
      })),
    );
    for (const event of events) this.emit('event', event);
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.emit('paths', next);
    }
  }

  private react(event: PathEvent): void {
    const path = event.path;
    switch (event.type) {
      case 'path-removed':
        this.cancelProbe(event.name);
        this.health.delete(event.name);
        this.downSince.delete(event.name);
        break;
      case 'path-down':
        this.cancelProbe(event.name);
        this.health.delete(event.name);
        this.downSince.set(event.name, Date.now());
        break;
      case 'path-added':
      case 'path-up':
      case 'address-changed':
        this.downSince.delete(event.name);
        if (path && this.probeable(path)) this.scheduleProbe(event.name, 0);
        this.detailsSoon();
        break;
      case 'health-changed':
        break;
    }
  }

  // ─── Health probes ───────────────────────────────────────────────────────────────────────────

  private probeable(path: PathInfo): boolean {
    return path.up && !NOT_PROBED.has(path.type) && this.probeUrl() !== undefined;
  }

  private cancelProbe(name: string): void {
    const state = this.probes.get(name);
    if (state) {
      clearTimeout(state.timer);
      state.timer = undefined;
    }
  }

  private scheduleProbe(name: string, delayMs: number): void {
    if (!this.running) return;
    const state = this.probes.get(name) ?? {
      timer: undefined,
      dueAt: Infinity,
      running: undefined,
      lastAt: 0,
    };
    this.probes.set(name, state);
    const dueAt = Date.now() + delayMs;
    if (state.timer && state.dueAt <= dueAt) return;
    clearTimeout(state.timer);
    state.dueAt = dueAt;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      state.dueAt = Infinity;
      void this.runProbe(name);
    }, delayMs);
    state.timer.unref();
  }

  private runProbe(name: string, options: { retry?: boolean } = {}): Promise<void> {
    const state = this.probes.get(name) ?? {
      timer: undefined,
      dueAt: Infinity,
      running: undefined,
      lastAt: 0,
    };
    this.probes.set(name, state);
    if (state.running) return state.running;
    state.running = (async () => {
      const path = this.current.find((p) => p.name === name);
      if (!path || !this.probeable(path)) return;
      const addresses = path.addresses;
      const result = await this.prober.probe({ name, addresses }, options);
      state.lastAt = Date.now();
      const totals = this.probeTotals.get(name) ?? { sent: 0, received: 0 };
      totals.sent += result.bytesSent;
      totals.received += result.bytesReceived;
      this.probeTotals.set(name, totals);
      const at = Date.now();
      if (result.bytesSent > 0)
        this.emit('probeBytes', {
          transferId: 'health-probe',
          path: name,
          direction: 'up',
          bytes: result.bytesSent,
          at,
        });
      if (result.bytesReceived > 0)
        this.emit('probeBytes', {
          transferId: 'health-probe',
          path: name,
          direction: 'down',
          bytes: result.bytesReceived,
          at,
        });
      // The path may have gone down or changed address while the probe ran: that result is stale.
      const now = this.current.find((p) => p.name === name);
      if (!now?.up || now.addresses.join() !== addresses.join()) return;
      this.health.set(name, result.health);
      this.publish();
    })().finally(() => {
      state.running = undefined;
      const path = this.current.find((p) => p.name === name);
      if (this.running && path && this.probeable(path)) this.scheduleProbe(name, this.probeIntervalMs());
    });
    return state.running;
  }
}

/** The monitor options that come from the user's settings, read live so changes apply at once. */
export function monitorSettings(get: () => Settings): PathMonitorOptions {
  return {
    preferences: () => get().preferences,
    overrides: () => get().overrides,
    probeUrl: () => get().probeUrl,
    probeIntervalMs: () => get().probeIntervalMs,
  };
}
