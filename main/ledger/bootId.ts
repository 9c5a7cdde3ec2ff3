import { readFileSync } from 'node:fs';
import { uptime } from 'node:os';

/** Boot identities made from the boot time (off Linux) start with this. */
const BOOT_TIME = 'boot-time:';

/**
 * How far two readings of one boot's time may disagree: `now − uptime` moves with clock
 * corrections and rounding. A reboot moves it by the whole time the machine was up before.
 */
const BOOT_TIME_SLACK_S = 60;

export interface BootIdSources {
  platform?: NodeJS.Platform;
  /** The kernel's boot id file (Linux). */
  bootIdFile?: string;
  /** Seconds since boot (os.uptime). */
  uptime?: () => number;
  now?: () => number;
}

/**
 * This boot's identity: OS counters restart at zero after a reboot, and a stored baseline says
 * which boot it is from. Linux names each boot (/proc/sys/kernel/random/boot_id); elsewhere the
 * boot's time stands in, from the clock and the uptime (issue 20 case 10), so baselines survive
 * the app's restarts but not the machine's.
 */
export function readBootId(sources: BootIdSources = {}): string | null {
  if ((sources.platform ?? process.platform) === 'linux') {
    try {
      return readFileSync(sources.bootIdFile ?? '/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      // A Linux without /proc: the boot time below does as well.
    }
  }
  const up = (sources.uptime ?? uptime)();
  const now = (sources.now ?? Date.now)();
  if (!Number.isFinite(up) || up <= 0) return null;
  return `${BOOT_TIME}${Math.round(now / 1000 - up)}`;
}

/** Whether a stored boot identity names the boot the machine is in now. */
export function sameBoot(stored: string | null, current: string | null): boolean {
  if (stored === null || current === null) return false;
  if (stored === current) return true;
  if (!stored.startsWith(BOOT_TIME) || !current.startsWith(BOOT_TIME)) return false;
  const a = Number(stored.slice(BOOT_TIME.length));
  const b = Number(current.slice(BOOT_TIME.length));
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= BOOT_TIME_SLACK_S;
}
