/**
 * An interface's own byte counters: all traffic of the machine on that interface, as the kernel
 * (or the OS's network statistics) counts it. PathVerifier compares them with the engine's bytes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CounterSample {
  rx: number;
  tx: number;
}

export interface InterfaceCounters {
  /** Current totals for a device, or null when the device does not exist (any more). */
  read(device: string): Promise<CounterSample | null>;
}

/** Interface names as the kernel allows them; anything else is never a path under /sys. */
export function isDeviceName(device: string): boolean {
  return /^[^/\s\0]{1,15}$/.test(device) && device !== '.' && device !== '..';
}

/** Linux: /sys/class/net/<dev>/statistics (cheap file reads, no process spawned). */
export function sysfsCounters(root = '/sys/class/net'): InterfaceCounters {
  const value = async (device: string, name: string): Promise<number> =>
    Number((await readFile(join(root, device, 'statistics', name), 'utf8')).trim());
  return {
    async read(device) {
      if (!isDeviceName(device)) return null;
      try {
        const [rx, tx] = await Promise.all([value(device, 'rx_bytes'), value(device, 'tx_bytes')]);
        return Number.isFinite(rx) && Number.isFinite(tx) ? { rx, tx } : null;
      } catch {
        return null;
      }
    },
  };
}

/** macOS and Windows: systeminformation's networkStats (netstat / PowerShell underneath). */
export function systemInformationCounters(): InterfaceCounters {
  return {
    async read(device) {
      if (!isDeviceName(device)) return null;
      const { networkStats } = await import('systeminformation');
      const [stats] = await networkStats(device);
      if (!stats || stats.iface !== device) return null;
      return { rx: stats.rx_bytes, tx: stats.tx_bytes };
    },
  };
}

export function defaultInterfaceCounters(platform: NodeJS.Platform = process.platform): InterfaceCounters {
  return platform === 'linux' ? sysfsCounters() : systemInformationCounters();
}
