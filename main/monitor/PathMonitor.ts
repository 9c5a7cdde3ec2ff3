import { EventEmitter } from 'node:events';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { PathEvent, PathHealth, PathInfo, Preference, Settings } from '../../common/contract.ts';
import type { PathBytesEvent } from '../base/budget.ts';
import { HealthProber, type HealthProberOptions } from '../network/HealthProber.ts';
import {
  CounterSampler,
  type CounterSamplerOptions,
  type OsCounterSource,
  type PathRates,
  type PathTotals,
} from './CounterSampler.ts';
import { describePaths, type PathOverride } from './describePaths.ts';
import { listLinks } from './linuxLinks.ts';
import { LinkTable } from './LinkTable.ts';
import { LinkWatcher } from './LinkWatcher.ts';
import { NetworkManagerMetered, type NmMetered } from './networkManager.ts';
import { diffPaths } from './pathEvents.ts';
import { ModemIdentities } from './pathIdentity.ts';
import { ProbeScheduler } from './ProbeScheduler.ts';
import { SystemDetails, type InterfaceDetails } from './SystemDetails.ts';
import { ThroughputJudge, type TransferSample } from './ThroughputJudge.ts';

export type { OsCounterSource, PathRates, PathTotals } from './CounterSampler.ts';
export type { PathOverride } from './describePaths.ts';
export type { TransferSample } from './ThroughputJudge.ts';

export interface PathMonitorOptions {
  /**
   * The OS whose ways are used (process.platform): only Linux has sysfs and /proc/net; elsewhere
   * links come from the OS's address list and systeminformation. Tests run the other way on Linux.
   */
  platform?: NodeJS.Platform;
  /** Off Linux: every interface's byte counters (systeminformation's networkStats by default). */
  osCounters?: OsCounterSource;
  /** Off Linux: the OS counters are read at most this often (they spawn processes there). */
  osCountersIntervalMs?: number;
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

/**
 * Knows which network paths this machine has and how each is: type, addresses, up/down, speed,
 * Wi-Fi SSID and signal, metered, OS counters and rates, and health from a probe bound to the
 * path. Link state comes from sysfs (no processes spawned) and is re-read the moment the kernel
 * announces a change (a long-lived `ip monitor` child), with a sysfs poll as the fallback;
 * systeminformation and NetworkManager, which spawn processes, are asked only on change and at a
 * slow cadence. Emits the full list on `paths` and each change on `event`.
 *
 * This class keeps the clock (timers, the watcher) and the snapshot; what it reads is gathered by
 * `LinkTable` (links), `CounterSampler` (counters), `SystemDetails` and `NetworkManagerMetered`
 * (details), `ProbeScheduler` (health), and `describePaths` turns all of it into `PathInfo`s.
 */
export class PathMonitor extends EventEmitter<PathMonitorEvents> {
  private readonly linux: boolean;
  private readonly pollIntervalMs: number;
  private readonly countersIntervalMs: number;
  private readonly safetyRefreshMs: number;
  private readonly detailsIntervalMs: number;
  private readonly preferences: () => Record<string, Preference>;
  private readonly overrides: () => Record<string, PathOverride>;
  private readonly probeUrl: () => string | undefined;
  private readonly linkTable: LinkTable;
  private readonly counters: CounterSampler;
  private readonly probes: ProbeScheduler;
  private readonly throughput = new ThroughputJudge();
  /** What the engine's downloads get over each path, read each counters tick (see sampleTransfersFrom). */
  private transferSamples: (() => TransferSample[]) | undefined;
  private onBattery = false;
  private readonly watcher: LinkWatcher | undefined;
  private readonly system: SystemDetails | undefined;
  private readonly networkManager: NetworkManagerMetered | null;
  /** Which SIM each modem carries (ModemManager), read with the details. */
  private readonly modems: ModemIdentities | null;

  private current: PathInfo[] = [];
  private lastKey = '';
  private running = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private linkTimer: NodeJS.Timeout | undefined;
  private refreshSoonTimer: NodeJS.Timeout | undefined;
  private detailsSoonTimer: NodeJS.Timeout | undefined;

  private details = new Map<string, InterfaceDetails>();
  private nmMetered = new Map<string, NmMetered>();
  private readonly downSince = new Map<string, number>();

  constructor(options: PathMonitorOptions = {}) {
    super();
    const sysClassNet = options.sysClassNet ?? '/sys/class/net';
    const procNetDir = options.procNetDir ?? '/proc/net';
    this.linux = (options.platform ?? process.platform) === 'linux' && listLinks(sysClassNet) !== undefined;
    const readAddresses = options.networkInterfaces ?? networkInterfaces;
    this.linkTable = new LinkTable({ sysClassNet, procNetDir, linux: this.linux, readAddresses });
    this.system = options.systemDetails === false ? undefined : new SystemDetails();
    this.counters = new CounterSampler(this.counterSource(options, sysClassNet, procNetDir));
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.countersIntervalMs = options.countersIntervalMs ?? 1000;
    this.safetyRefreshMs = options.safetyRefreshMs ?? 30_000;
    this.detailsIntervalMs = options.detailsIntervalMs ?? 600_000;
    this.preferences = options.preferences ?? (() => ({}));
    this.overrides = options.overrides ?? (() => ({}));
    this.probeUrl = options.probeUrl ?? (() => undefined);
    // netlink only describes this machine's kernel: a fake sysfs tree must be polled.
    const realSys = options.sysClassNet === undefined;
    const linkWatch =
      options.linkWatch ?? (process.env['PATHWISE_LINK_WATCH'] === 'poll' ? 'poll' : 'netlink');
    this.watcher = this.linux && realSys && linkWatch === 'netlink' ? new LinkWatcher() : undefined;
    this.networkManager =
      options.networkManager !== undefined
        ? options.networkManager
        : options.systemDetails === false
          ? null
          : new NetworkManagerMetered();
    this.probes = this.createProbes(options);
    this.modems = options.systemDetails === false ? null : new ModemIdentities();
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
    this.counters.tick(Date.now(), this.linkNames());
    this.publish();
    // Paths a refresh() before start already listed announced no path-added to schedule their probe.
    for (const path of this.current) if (this.probes.probeable(path)) this.probes.schedule(path.name, 0);
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
    this.probes.stop();
    void this.system?.close();
  }

  snapshot(): PathInfo[] {
    return this.current;
  }

  /** Each up path's OS counters as of the last counters tick (fresher than snapshot()'s). */
  counterTotals(): ReadonlyMap<string, PathTotals> {
    return this.counters.totalsByPath();
  }

  /** Link state now, or also details and a health probe of every path (the one-shot CLI). */
  async refresh(options: { details?: boolean; probe?: boolean } = {}): Promise<PathInfo[]> {
    this.readLinks();
    // While running, the tick owns the counters (a read in between would skew its rates).
    if (!this.running) {
      const reading = this.counters.tick(Date.now(), this.linkNames());
      // Off Linux the counters come from spawned processes: worth the wait only with details.
      if (reading && options.details) await reading;
    }
    this.publish();
    if (options.details) await this.refreshDetails();
    if (options.probe) {
      await Promise.all(
        this.current
          .filter((p) => this.probes.probeable(p))
          .map((p) => this.probes.run(p.name, { retry: false })),
      );
    }
    return this.current;
  }

  /** Probe a path now (e.g. the engine saw it stall); resolves with its new health. */
  async probeNow(name: string): Promise<PathHealth | undefined> {
    const path = this.find(name);
    if (!path || !this.probes.probeable(path)) return path?.health;
    await this.probes.run(name);
    return this.find(name)?.health;
  }

  // ─── What the engine tells the verdict (wired in main/core/healthWiring.ts) ───────────────────

  /**
   * The engine's transfers stalled on a path or its requests timed out (`at`: when it saw that):
   * the path is suspect at once, and a short probe confirms it offline or clears it.
   */
  suspect(name: string, reason: string, at: number = Date.now()): void {
    const path = this.find(name);
    if (!path?.up || !this.probes.probeable(path)) return;
    if (this.probes.suspect(name, reason, at)) this.publish();
  }

  /** The engine's own probe got through a path it had given up: look now rather than at the next recovery probe. */
  engineRecovered(name: string): void {
    const path = this.find(name);
    const status = path?.health?.status;
    if (path && this.probes.probeable(path) && (status === 'offline' || status === 'suspect')) {
      void this.probes.run(name);
    }
  }

  /** A connection the engine opened over a path, and its TCP handshake time (the RTT it saw there). */
  engineHandshake(name: string, ms: number): void {
    const path = this.find(name);
    if (!path?.up || !this.probes.probeable(path)) return;
    const before = this.probes.healthOf(name);
    this.probes.verdicts.handshake(name, ms, Date.now());
    const after = this.probes.healthOf(name);
    if (after?.status !== before?.status || after?.detail !== before?.detail) this.publish();
  }

  /** Where to read, each counters tick, what each download gets over each path (throughput verdicts). */
  sampleTransfersFrom(source: () => TransferSample[]): void {
    this.transferSamples = source;
  }

  /** Each download's rate per path (normally read by the tick from `sampleTransfersFrom`'s source). */
  observeTransfers(samples: readonly TransferSample[], now: number = Date.now()): void {
    const changes = this.throughput.observe(samples, now);
    for (const change of changes) {
      this.probes.verdicts.setCause(change.path, 'throughput', change.weak ? change.reason : null, now);
    }
    if (changes.length > 0) this.publish();
  }

  /** On battery, routine probes back off further (ProbeScheduler's probeDelayMs). */
  setOnBattery(onBattery: boolean): void {
    this.onBattery = onBattery;
  }

  /** Bytes health probes have moved on a path since start: what the ledger adds to the app's use. */
  probeBytes(name: string): { sent: number; received: number } {
    return { ...(this.probes.bytesOf(name) ?? { sent: 0, received: 0 }) };
  }

  /** The `ip monitor` child's pid, for measuring the monitor's own CPU. */
  get watcherPid(): number | undefined {
    return this.watcher?.active ? this.watcher.pid : undefined;
  }

  /** /proc/net/dev on Linux; elsewhere the OS's counters through systeminformation, every few seconds. */
  private counterSource(
    options: PathMonitorOptions,
    sysClassNet: string,
    procNetDir: string,
  ): CounterSamplerOptions {
    if (this.linux) return { kind: 'linux', sysClassNet, procNetDir };
    const system = this.system;
    const source = options.osCounters ?? (system && (() => osCountersOf(system)));
    if (!source) return { kind: 'none' };
    return { kind: 'os', source, minIntervalMs: options.osCountersIntervalMs ?? 5000 };
  }

  private createProbes(options: PathMonitorOptions): ProbeScheduler {
    const prober = new HealthProber({
      url: () => this.probeUrl() ?? '',
      ...(this.linux ? { txBytes: (name: string) => this.counters.read([name]).get(name)?.txBytes } : {}),
      ...options.probe,
    });
    const intervalMs = options.probeIntervalMs ?? (() => 30_000);
    return new ProbeScheduler(prober, {
      running: () => this.running,
      find: (name) => this.find(name),
      probeUrl: () => this.probeUrl(),
      intervalMs: () => intervalMs(),
      onBattery: () => this.onBattery,
      rxBytes: (name) => this.counters.read([name]).get(name)?.rxBytes,
      onSlow: (name) => this.throughput.markWeak(name, Date.now()),
      onBytes: (event) => this.emit('probeBytes', event),
      onHealth: () => this.publish(),
    });
  }

  private find(name: string): PathInfo | undefined {
    return this.current.find((p) => p.name === name);
  }

  private linkNames(): string[] {
    return [...this.linkTable.links.keys()];
  }

  // ─── Timers ─────────────────────────────────────────────────────────────────────────────────

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
      if (netlink && this.watcher?.active) {
        if (this.linkTable.stateChanged()) this.refreshNow();
      } else this.refreshNow();
      if (this.countersIntervalMs > 0 && now - this.counters.lastTickAt >= this.countersIntervalMs - 50) {
        this.counters.tick(now, this.linkNames());
        this.emit('rates', { t: now, paths: this.counters.rates(this.current) });
        this.noticeSilentPaths();
        if (this.transferSamples) this.observeTransfers(this.transferSamples(), now);
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

  private readLinks(): void {
    this.linkTable.read(this.details);
  }

  /**
   * Packets going out and nothing coming back for two ticks looks like Wi-Fi that lost its
   * internet: the path is suspect, and a short probe confirms it now rather than at the next interval.
   */
  private noticeSilentPaths(): void {
    for (const path of this.current) {
      const c = this.counters.get(path.name);
      const status = path.health?.status;
      if (!c || c.silentTicks < 2 || !this.probes.probeable(path)) continue;
      if (status !== 'good' && status !== 'degraded' && status !== 'unknown') continue;
      const seconds = Math.round((c.silentTicks * this.countersIntervalMs) / 1000);
      this.suspect(path.name, `Packets went out over ${path.name} for ${seconds} s and nothing came back.`);
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
      this.modems?.refresh(),
    ]);
    if (details) this.details = details;
    if (metered) this.nmMetered = metered;
    if (!this.linux) this.readLinks();
    this.publish();
  }

  // ─── The snapshot ───────────────────────────────────────────────────────────────────────────

  private build(): PathInfo[] {
    const links = this.linkTable;
    return describePaths({
      links: links.links,
      facts: links.facts,
      details: this.details,
      gateways: links.gateways,
      routes: links.routes,
      speeds: links.speeds,
      signals: links.signals,
      nmMetered: this.nmMetered,
      sims: this.modems?.current(),
      counters: (name) => this.counters.get(name),
      health: (name) => this.probes.healthOf(name),
      probeBytes: (name) => this.probes.bytesOf(name),
      downSince: this.downSince,
      preferences: this.preferences(),
      overrides: this.overrides(),
      probing: this.probeUrl() !== undefined,
      now: Date.now(),
    });
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
        this.probes.forget(event.name);
        this.throughput.forget(event.name);
        this.downSince.delete(event.name);
        break;
      case 'path-down':
        this.probes.forget(event.name);
        this.throughput.forget(event.name);
        this.downSince.set(event.name, Date.now());
        break;
      case 'path-added':
      case 'path-up':
      case 'address-changed':
        this.downSince.delete(event.name);
        if (path && this.probes.probeable(path)) this.probes.schedule(event.name, 0);
        this.detailsSoon();
        break;
      case 'health-changed':
        break;
    }
  }
}

/** systeminformation's networkStats('*'), in its worker: rx/tx bytes of every interface it knows. */
async function osCountersOf(
  system: SystemDetails,
): Promise<Map<string, { rxBytes: number; txBytes: number }>> {
  const stats = await system.stats();
  return new Map([...stats].map(([name, s]) => [name, { rxBytes: s.rxBytes, txBytes: s.txBytes }]));
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
