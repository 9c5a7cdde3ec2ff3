import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import type { Dispatcher } from 'undici';
import type { PathBinding, PathInfo } from '../../common/contract.ts';
import { loadBindAddon, warnAddressBindingOnce, type BindAddonStatus } from '../network/bindAddon.ts';
import type { BindingMode } from '../network/boundConnect.ts';
import type { ProxySettings } from '../network/proxySettings.ts';
import { PathVerifier, type PathVerification, type Verdict } from './PathVerifier.ts';
import { createPathAgent, type PathAgentFactory, type PathEndpoint } from './pathAgent.ts';

export interface PathBinderOptions {
  /** The addon to use; loadBindAddon() (honouring PATHWISE_NO_BINDTODEVICE) when absent. */
  addon?: BindAddonStatus;
  verifier?: PathVerifier;
  /** Where the one-time "address binding only" warning goes; process.emitWarning by default. */
  warn?: (message: string) => void;
  /** Whether `device` is an interface that has `address` (tests use names that are not devices). */
  hasInterface?: (device: string, address: string) => boolean;
  /** The proxies every pool's requests go through (read once at start); direct when absent. */
  proxy?: ProxySettings | null;
}

interface PathBinderEvents {
  /** A path's verification verdict changed. */
  change: [PathVerification];
}

function osHasInterface(device: string, address: string): boolean {
  return (networkInterfaces()[device] ?? []).some((a) => a.address === address);
}

/**
 * Holds every path's sockets to that path (PRODUCT.md §2a) and checks that they did. Builds each
 * path's connection pool — pinned to the device (SO_BINDTODEVICE) when the addon loads and the
 * path is a real interface, else bound to its address — and compares the engine's payload bytes
 * on each path with the interface's own counters. A path whose bytes left through another
 * interface is `verified: false`: the engine stops using it, so it is never counted as a path of
 * its own for aggregation or caps.
 */
export class PathBinder extends EventEmitter<PathBinderEvents> {
  readonly status: BindAddonStatus;
  private readonly verifier: PathVerifier;
  private readonly hasInterface: (device: string, address: string) => boolean;
  private readonly warn: ((message: string) => void) | undefined;
  private readonly proxy: ProxySettings | null;
  /** How the latest pool of each path was bound. */
  private readonly modes = new Map<string, BindingMode>();
  /** The address each watched path was tracked with. */
  private readonly tracked = new Map<string, string>();

  constructor(options: PathBinderOptions = {}) {
    super();
    this.status = options.addon ?? loadBindAddon();
    this.verifier = options.verifier ?? new PathVerifier();
    this.hasInterface = options.hasInterface ?? osHasInterface;
    this.warn = options.warn;
    this.proxy = options.proxy ?? null;
    this.verifier.on('change', (verification) => this.emit('change', verification));
  }

  /** The engine's connection pools, one per path, bound as well as this machine allows. */
  readonly agentFactory: PathAgentFactory = (path: PathEndpoint): Dispatcher => this.pool(path, this.proxy);

  /** Pools bound as `agentFactory`'s, through these proxies instead (a handed download's own). */
  agentFactoryWith(proxy: ProxySettings | null): PathAgentFactory {
    return (path) => this.pool(path, proxy);
  }

  private pool(path: PathEndpoint, proxy: ProxySettings | null): Dispatcher {
    const isInterface = this.hasInterface(path.name, path.address);
    const device = this.status.available && isInterface;
    if (!this.status.available) warnAddressBindingOnce(this.status, this.warn);
    this.modes.set(path.name, device ? 'device' : 'address');
    if (!this.tracked.has(path.name) && isInterface) {
      this.tracked.set(path.name, path.address);
      void this.verifier.track(path.name, path.name);
    }
    return createPathAgent(path, device ? this.status : null, { proxy });
  }

  /** How a path is (or would be) bound. */
  mode(path: string): BindingMode {
    return this.modes.get(path) ?? (this.status.available ? 'device' : 'address');
  }

  verdict(path: string): Verdict {
    return this.verifier.verdict(path);
  }

  binding(path: string): PathBinding {
    return { mode: this.mode(path), verified: this.verdict(path) };
  }

  /**
   * Follows the monitor's paths: a path that is up with an address is watched from now on (a new
   * address starts a fresh window), one that went away is forgotten.
   */
  watch(paths: readonly PathInfo[]): void {
    const present = new Set<string>();
    for (const path of paths) {
      const address = path.addresses[0];
      if (!path.up || !address || path.type === 'loopback') continue;
      present.add(path.name);
      if (this.tracked.get(path.name) === address) continue;
      this.tracked.set(path.name, address);
      void this.verifier.track(path.name, path.name);
    }
    for (const name of this.tracked.keys()) {
      if (!present.has(name) && !this.modes.has(name)) {
        this.tracked.delete(name);
        this.verifier.untrack(name);
      }
    }
  }

  /** The monitor's paths with how each is bound and whether that was verified. */
  decorate(paths: readonly PathInfo[]): PathInfo[] {
    return paths.map((p) => (p.type === 'loopback' ? p : { ...p, binding: this.binding(p.name) }));
  }

  /** Payload bytes the engine moved on a path. */
  record(path: string, bytes: number): void {
    this.verifier.record(path, bytes);
  }

  /** Compares engine bytes with interface counters now; `change` fires for each new verdict. */
  check(): Promise<PathVerification[]> {
    return this.verifier.check();
  }

  snapshot(): PathVerification[] {
    return this.verifier.snapshot();
  }
}

/** A source of paths (the monitor) as the engine and UI see it: with each path's binding. */
export interface MonitorLike {
  snapshot(): PathInfo[];
  on(event: 'paths', listener: (paths: PathInfo[]) => void): unknown;
}

/**
 * The monitor's paths decorated with their binding, re-announced when a verdict changes so that
 * transfers drop an unverified path at once and the UI shows its badge.
 */
export class BoundPaths extends EventEmitter<{ paths: [PathInfo[]] }> {
  private readonly monitor: MonitorLike;
  private readonly binder: PathBinder;

  constructor(monitor: MonitorLike, binder: PathBinder) {
    super();
    this.monitor = monitor;
    this.binder = binder;
    monitor.on('paths', (paths) => {
      binder.watch(paths);
      this.emit('paths', binder.decorate(paths));
    });
    binder.on('change', () => this.emit('paths', this.snapshot()));
  }

  snapshot(): PathInfo[] {
    return this.binder.decorate(this.monitor.snapshot());
  }
}
