/**
 * A fault on wlan0 three seconds into a download over wlan0 + wwan0 (a cut, or a blackhole), raced
 * against aria2: both started from a shell, both already running, both running after one earlier
 * download, and `pathwise get` typed while the app runs (handed to it) against aria2c from a shell. Each round runs all three races, each tool once in each, the one
 * going first alternating from round to round; the targets are judged on the medians. Pathwise's
 * longest failover stall is held to a limit too.
 */
import { join } from 'node:path';
import { PATHWISE_BIN } from '../../../test/support/cli.ts';
import type { BenchLab } from '../../lab/BenchLab.ts';
import { holdsFile } from '../../lab/testFile.ts';
import { runFailure } from '../../lab/timed.ts';
import type { ScenarioResult } from '../../report/ScenarioResult.ts';
import { aria2Args } from '../../tools/aria2.ts';
import type { WarmTool } from '../../tools/warmDriver.ts';
import { PATHWISE_CONNECTIONS_PER_PATH, pathwiseGetArgs, withOutcome } from '../../tools/pathwise.ts';
import { raceAlreadyRunning } from './alreadyRunning.ts';
import { faultResult, type FaultMeasurements } from './faultResult.ts';
import { raceTimeoutMs, type FaultKind } from './faults.ts';
import { raceFromShell } from './fromShell.ts';
import { RACES, type PathwiseShellRun, type RaceName, type RaceRun } from './raceRun.ts';

const PATHS = ['wlan0', 'wwan0'];

async function pathwiseFromShell(b: BenchLab, kind: FaultKind, limitMs: number): Promise<PathwiseShellRun> {
  const args = pathwiseGetArgs(b.out, ['--paths', PATHS.join(',')]);
  const run = await raceFromShell(b, kind, PATHWISE_BIN, args, { timeoutMs: limitMs });
  const pw = withOutcome(run, b.sha);
  return {
    seconds: pw.wallS,
    failure: pw.failure,
    firstByteMs: run.firstByteMs,
    stalls: pw.continuity.filter((c) => c.kind === 'failover').map((c) => c.stallMs),
    engineSeconds: (pw.final.durationMs ?? Number.NaN) / 1000,
    wlan0Bytes: pw.final.paths?.['wlan0']?.bytes ?? 0,
  };
}

async function aria2FromShell(
  b: BenchLab,
  kind: FaultKind,
  connections: number,
  limitMs: number,
): Promise<RaceRun> {
  const run = await raceFromShell(b, kind, 'aria2c', aria2Args(b, PATHS, connections), {
    timeoutMs: limitMs,
  });
  const failure = runFailure(run, await holdsFile(join(b.out, 'aria2.bin'), b.sha));
  return { seconds: run.wallS, failure, firstByteMs: run.firstByteMs };
}

export async function fault(b: BenchLab, kind: FaultKind): Promise<ScenarioResult> {
  const specs = [
    { name: 'wlan0', downMbit: 40 },
    { name: 'wwan0', downMbit: 20 },
  ];
  await b.setup(specs, b.ctx.sizeMiB);
  const limitMs = raceTimeoutMs(b.size);
  // aria2 gets as many connections per path as Pathwise opens.
  const aria2Connections = PATHS.length * PATHWISE_CONNECTIONS_PER_PATH;
  const m: FaultMeasurements = {
    kind,
    rounds: b.ctx.rounds,
    aria2Connections,
    pwShell: [],
    pw: { shell: [], warm: [], used: [], handed: [] },
    // The handed race's aria2 is aria2c typed in a shell: the shell race's runs (faultResult.ts).
    aria: { shell: [], warm: [], used: [], handed: [] },
  };
  const running = (race: RaceName, tool: WarmTool): Promise<RaceRun> =>
    raceAlreadyRunning(b, kind, tool, { afterEarlier: race === 'used', aria2Connections, limitMs });
  for (let round = 0; round < b.ctx.rounds; round++) {
    for (const race of RACES) {
      const pathwise = async (): Promise<void> => {
        if (race === 'shell') {
          const run = await pathwiseFromShell(b, kind, limitMs);
          m.pwShell.push(run);
          m.pw.shell.push(run);
        } else m.pw[race].push(await running(race, race === 'handed' ? 'pathwise-get' : 'pathwise'));
      };
      const aria2 = async (): Promise<void> => {
        if (race === 'shell') m.aria.shell.push(await aria2FromShell(b, kind, aria2Connections, limitMs));
        else if (race !== 'handed') m.aria[race].push(await running(race, 'aria2'));
      };
      // Who goes first alternates, so neither always inherits the other's warmed caches.
      for (const turn of round % 2 === 0 ? [pathwise, aria2] : [aria2, pathwise]) await turn();
    }
  }
  return faultResult(m);
}
