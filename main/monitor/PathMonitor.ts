import { EventEmitter } from 'node:events';
import { readdir, readFile, realpath } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { basename, join } from 'node:path';
import type { PathInfo, Preference } from '../contract.ts';
import { classifyInterface, defaultMetered } from './classify.ts';

export interface PathMonitorOptions {
  /** Where link state is read from; tests point this at a fake tree. */
  sysClassNet?: string;
  pollIntervalMs?: number;
  preferences?: () => Record<string, Preference>;
}

interface PathMonitorEvents {
  paths: [PathInfo[]];
}

async function readSysfs(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/**
 * Knows which network paths this machine has and whether each is up. Link state comes from
 * sysfs (cheap: no processes spawned), addresses from the OS; the snapshot is re-read on a short
 * poll and a `paths` event fires only when something a user would see changed.
 */
export class PathMonitor extends EventEmitter<PathMonitorEvents> {
  private readonly sysClassNet: string;
  private readonly pollIntervalMs: number;
  private readonly preferences: () => Record<string, Preference>;
  private timer: NodeJS.Timeout | undefined;
  private current: PathInfo[] = [];
  private lastKey = '';

  constructor(options: PathMonitorOptions = {}) {
    super();
    this.sysClassNet = options.sysClassNet ?? '/sys/class/net';
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.preferences = options.preferences ?? (() => ({}));
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.pollIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  snapshot(): PathInfo[] {
    return this.current;
  }

  async refresh(): Promise<PathInfo[]> {
    const next = await this.read();
    const key = JSON.stringify(next);
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.current = next;
      this.emit('paths', next);
    }
    return next;
  }

  private async read(): Promise<PathInfo[]> {
    const osAddresses = networkInterfaces();
    let names: string[];
    try {
      names = await readdir(this.sysClassNet);
    } catch {
      names = Object.keys(osAddresses);
    }
    const preferences = this.preferences();
    const paths = await Promise.all(
      names.sort().map(async (name): Promise<PathInfo> => {
        const dir = join(this.sysClassNet, name);
        const [operstate, carrier, arpType, driverLink] = await Promise.all([
          readSysfs(join(dir, 'operstate')),
          readSysfs(join(dir, 'carrier')),
          readSysfs(join(dir, 'type')),
          realpath(join(dir, 'device', 'driver')).catch(() => undefined),
        ]);
        const addresses = (osAddresses[name] ?? [])
          .filter((a) => !a.internal || name === 'lo')
          .filter((a) => !(a.family === 'IPv6' && a.address.startsWith('fe80:')))
          .map((a) => a.address);
        const type = classifyInterface({
          name,
          arpType: arpType === undefined ? undefined : Number(arpType),
          driver: driverLink ? basename(driverLink) : undefined,
        });
        // operstate is "unknown" for loopback and many tun devices: fall back to carrier.
        const up = operstate === 'up' || (operstate === 'unknown' && carrier === '1');
        const metered = defaultMetered(type);
        return {
          name,
          type,
          addresses,
          up,
          metered,
          meteredSource: 'type',
          preference: preferences[name] ?? (metered ? 'backup' : 'always'),
        };
      }),
    );
    return paths;
  }
}
