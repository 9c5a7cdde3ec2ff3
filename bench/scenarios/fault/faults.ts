/**
 * The two faults raced against, both on wlan0 while a download runs over wlan0 and wwan0: a cut
 * (the link goes down: the monitor sees it and sockets get errors at once) and a blackhole
 * (iptables DROP: the link stays up and packets vanish, so only silence tells).
 */
import type { NetLab } from '../../../test/support/netns.ts';

export type FaultKind = 'cut' | 'blackhole';

/** How far into the download the fault lands. */
export const FAULT_AT_MS = 3000;

/** The longest stall Pathwise may show: a cut is seen at once, a blackhole only after silence. */
export function stallLimitMs(kind: FaultKind): number {
  return kind === 'cut' ? 1500 : 2500;
}

export async function strike(lab: NetLab, kind: FaultKind): Promise<void> {
  if (kind === 'cut') await lab.cut('wlan0');
  else await lab.blackhole('wlan0');
}

export async function heal(lab: NetLab, kind: FaultKind): Promise<void> {
  if (kind === 'cut') await lab.restore('wlan0');
  else await lab.unblackhole('wlan0');
}

/**
 * A race's time limit, the same for both tools: three times the file's time over wwan0 (20 Mbit,
 * what is left after the fault) plus a minute. A run past it is a failed run.
 */
export function raceTimeoutMs(size: number): number {
  return Math.round(60_000 + 3 * ((size * 8) / 20e6) * 1000);
}
