/**
 * A fault on wlan0 three seconds into a download over wlan0 + wwan0 (a cut, or a blackhole), raced
 * three ways against aria2: both started from a shell, both already running, and both running
 * after one earlier download. Pathwise's longest failover stall is held to a limit too.
 */
import { join } from 'node:path';
import { PATHWISE_BIN } from '../../../test/support/cli.ts';
import type { BenchLab } from '../../lab/BenchLab.ts';
import { holdsFile } from '../../lab/testFile.ts';
import type { ScenarioResult } from '../../report/ScenarioResult.ts';
import { aria2Args } from '../../tools/aria2.ts';
import { parsePathwise, pathwiseGetArgs } from '../../tools/pathwise.ts';
import { runningRaces } from './alreadyRunning.ts';
import { faultResult } from './faultResult.ts';
import type { FaultKind } from './faults.ts';
import { raceFromShell } from './fromShell.ts';

export async function fault(b: BenchLab, kind: FaultKind): Promise<ScenarioResult> {
  const specs = [
    { name: 'wlan0', downMbit: 40 },
    { name: 'wwan0', downMbit: 20 },
  ];
  await b.setup(specs, b.ctx.sizeMiB);
  const pwArgs = pathwiseGetArgs(b.out, ['--paths', 'wlan0,wwan0']);
  const pwRun = await raceFromShell(b, kind, PATHWISE_BIN, pwArgs);
  const pw = { ...pwRun, ...parsePathwise(pwRun.stdout) };
  const stalls = pw.continuity.filter((c) => c.kind === 'failover').map((c) => c.stallMs);
  const longest = stalls.length ? Math.max(...stalls) : Number.NaN;

  // Unlimited retries (--max-tries=0), so the dead path cannot end aria2's download.
  const ariaArgs = aria2Args(b, ['wlan0', 'wwan0'], 2, ['--max-tries=0']);
  const aria = await raceFromShell(b, kind, 'aria2c', ariaArgs, { timeoutMs: 300_000 });
  const ariaOk = aria.code === 0 && (await holdsFile(join(b.out, 'aria2.bin'), b.sha));

  const races = await runningRaces(b, kind);
  return faultResult({ kind, sha: b.sha, pw, stalls, longest, aria, ariaOk, races });
}
