/**
 * The races where the tool is already running when the download is asked for (Pathwise's app or
 * `pathwise serve`; aria2's RPC daemon), so start-up is out of the race: bench/warm.ts starts the
 * daemon, times the download on its own clock for both tools, and prints when it asked; the fault
 * lands 3 s after that request.
 */
import { join } from 'node:path';
import type { NetLab } from '../../../test/support/netns.ts';
import type { BenchLab } from '../../lab/BenchLab.ts';
import { EARLIER_URL, FILE_URL } from '../../lab/nginx.ts';
import { rxSampler } from '../../lab/rxSampler.ts';
import { sleep } from '../../lab/sleep.ts';
import { holdsFile } from '../../lab/testFile.ts';
import { timed } from '../../lab/timed.ts';
import { WARM_DRIVER_ENV, warmDriverArgs, type WarmTool } from '../../tools/warmDriver.ts';
import { FAULT_AT_MS, heal, strike, type FaultKind } from './faults.ts';
import type { RaceRun } from './raceRun.ts';

export interface RunningRaceOptions {
  /** With an earlier download first (a tool in use), or the first since the daemon started. */
  afterEarlier: boolean;
  /** aria2's connections in all. */
  aria2Connections: number;
  /** The download's time limit (the driver's deadline; the driver itself gets a little more). */
  limitMs: number;
}

/** The driver's last line: how the download ended. A driver that printed none failed. */
function outcomeOf(stdout: string): { seconds: number; ok: boolean; error?: string } {
  try {
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as {
      seconds: number;
      ok: boolean;
      error?: string;
    };
  } catch {
    return { seconds: Number.NaN, ok: false, error: 'the driver printed no outcome' };
  }
}

/** One race of `tool` already running. */
export async function raceAlreadyRunning(
  b: BenchLab,
  kind: FaultKind,
  tool: WarmTool,
  options: RunningRaceOptions,
): Promise<RaceRun> {
  const lab = b.lab as NetLab;
  b.clean();
  const rx = await rxSampler(lab);
  let requestedAt = Number.NaN;
  let struck: Promise<void> = Promise.resolve();
  const file = `${tool}-warm.bin`;
  const args = warmDriverArgs(tool, FILE_URL, b.out, file, [b.addr('wlan0'), b.addr('wwan0')], {
    ...(options.afterEarlier ? { earlierUrl: EARLIER_URL } : {}),
    aria2Connections: options.aria2Connections,
    deadlineMs: options.limitMs,
  });
  const run = await timed(lab, process.execPath, args, {
    env: WARM_DRIVER_ENV,
    // Room for the daemon's start, the earlier download and its stop, past the download's deadline.
    timeoutMs: options.limitMs + 60_000,
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
  const outcome = outcomeOf(run.stdout);
  const hashOk = await holdsFile(join(b.out, file), b.sha);
  const failure = !outcome.ok ? (outcome.error ?? `exit ${run.code}`) : hashOk ? null : 'wrong hash';
  return { seconds: outcome.seconds, failure, firstByteMs };
}
