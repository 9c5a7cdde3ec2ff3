/**
 * The races where the tool is already running when the download is asked for (Pathwise's app or
 * `pathwise serve`; aria2's RPC daemon), so start-up is out of the race: bench/warm.ts starts the
 * daemon and prints when it asked, and the fault lands 3 s after that request.
 */
import { join } from 'node:path';
import type { NetLab } from '../../../test/support/netns.ts';
import type { BenchLab } from '../../lab/BenchLab.ts';
import { EARLIER_URL, FILE_URL } from '../../lab/nginx.ts';
import { rxSampler } from '../../lab/rxSampler.ts';
import { sleep } from '../../lab/sleep.ts';
import { holdsFile } from '../../lab/testFile.ts';
import { timed } from '../../lab/timed.ts';
import { median } from '../../measure.ts';
import { WARM_DRIVER_ENV, warmDriverArgs, type WarmTool } from '../../tools/warmDriver.ts';
import { FAULT_AT_MS, heal, strike, type FaultKind } from './faults.ts';

export interface RunningRace {
  seconds: number;
  ok: boolean;
  error?: string;
  firstByteMs: number;
}

/** One race; with `afterEarlier` the daemon first downloads a 1 MiB file (bench/warm.ts). */
async function raceAlreadyRunning(
  b: BenchLab,
  kind: FaultKind,
  tool: WarmTool,
  afterEarlier = false,
): Promise<RunningRace> {
  const lab = b.lab as NetLab;
  b.clean();
  const rx = await rxSampler(lab);
  let requestedAt = Number.NaN;
  let struck: Promise<void> = Promise.resolve();
  const file = `${tool}-warm.bin`;
  const addresses = [b.addr('wlan0'), b.addr('wwan0')];
  const args = warmDriverArgs(tool, FILE_URL, b.out, file, addresses, afterEarlier ? EARLIER_URL : undefined);
  const run = await timed(lab, process.execPath, args, {
    env: WARM_DRIVER_ENV,
    // The driver prints `started <epoch ms>` as it asks for the download: the fault's clock.
    onLine: (line) => {
      const started = /^started (\d+)$/.exec(line);
      if (!started) return;
      requestedAt = Number(started[1]);
      struck = sleep(requestedAt + FAULT_AT_MS - Date.now()).then(() => strike(lab, kind));
    },
  });
  await struck;
  const firstByteMs = await rx.firstByteAfter(requestedAt);
  await heal(lab, kind);
  if (run.code !== 0) process.stderr.write(`warm ${tool}: exit ${run.code}\n${run.stderr}\n${run.stdout}\n`);
  const outcome = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
    seconds: number;
    ok: boolean;
    error?: string;
  };
  const hashOk = await holdsFile(join(b.out, file), b.sha);
  return { ...outcome, ok: outcome.ok && hashOk, firstByteMs };
}

/**
 * pwWarm / ariaWarm: this download the first since the daemon started. pwUsed / ariaUsed: after
 * one earlier download, as a tray app that has been in use (its code and HTTP parser no longer
 * run for the first time).
 */
export type RaceName = 'pwWarm' | 'ariaWarm' | 'pwUsed' | 'ariaUsed';

export interface RaceMedian {
  seconds: number;
  ok: boolean;
  firstByteMs: number;
}

export interface RunningRaces {
  rounds: number;
  runs: Record<RaceName, RunningRace[]>;
  /** Per race, the median time and time to first byte over the rounds; ok only if every round was. */
  medians: Record<RaceName, RaceMedian>;
}

function medianOf(list: RunningRace[]): RaceMedian {
  return {
    seconds: median(list.map((r) => r.seconds)),
    ok: list.every((r) => r.ok),
    firstByteMs: median(list.map((r) => r.firstByteMs)),
  };
}

/**
 * Each running race is decided by tens of milliseconds in 80 s, about what one run varies by:
 * BENCH_RACE_ROUNDS=3 takes turns three times and compares medians.
 */
export async function runningRaces(b: BenchLab, kind: FaultKind): Promise<RunningRaces> {
  const rounds = Math.max(1, Math.floor(Number(process.env['BENCH_RACE_ROUNDS'] ?? 1)) || 1);
  const runs: Record<RaceName, RunningRace[]> = { pwWarm: [], ariaWarm: [], pwUsed: [], ariaUsed: [] };
  for (let round = 0; round < rounds; round++) {
    runs.pwWarm.push(await raceAlreadyRunning(b, kind, 'pathwise'));
    runs.ariaWarm.push(await raceAlreadyRunning(b, kind, 'aria2'));
    runs.pwUsed.push(await raceAlreadyRunning(b, kind, 'pathwise', true));
    runs.ariaUsed.push(await raceAlreadyRunning(b, kind, 'aria2', true));
  }
  const medians = {
    pwWarm: medianOf(runs.pwWarm),
    ariaWarm: medianOf(runs.ariaWarm),
    pwUsed: medianOf(runs.pwUsed),
    ariaUsed: medianOf(runs.ariaUsed),
  };
  return { rounds, runs, medians };
}
