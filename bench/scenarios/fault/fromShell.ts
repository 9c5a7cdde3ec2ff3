import type { NetLab } from '../../../test/support/netns.ts';
import type { BenchLab } from '../../lab/BenchLab.ts';
import { rxSampler } from '../../lab/rxSampler.ts';
import { sleep } from '../../lab/sleep.ts';
import { timed, type Timed } from '../../lab/timed.ts';
import { FAULT_AT_MS, heal, strike, type FaultKind } from './faults.ts';

export type ShellRace = Timed & { firstByteMs: number };

/**
 * The race from a shell: the tool's clock starts at spawn (start-up included, as a user typing
 * the command waits for it) and the fault lands 3 s later; the lab is healed after.
 */
export async function raceFromShell(
  b: BenchLab,
  kind: FaultKind,
  command: string,
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<ShellRace> {
  const lab = b.lab as NetLab;
  b.clean();
  const rx = await rxSampler(lab);
  const spawnedAt = Date.now();
  const running = timed(lab, command, args, options);
  await sleep(FAULT_AT_MS);
  await strike(lab, kind);
  const run = await running;
  const firstByteMs = await rx.firstByteAfter(spawnedAt);
  await heal(lab, kind);
  return { ...run, firstByteMs };
}
