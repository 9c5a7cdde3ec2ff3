import type { BenchLab } from '../lab/BenchLab.ts';
import type { Timed } from '../lab/timed.ts';
import { median } from '../measure.ts';
import type { Row, ScenarioResult, Target } from '../report/ScenarioResult.ts';
import { fmt } from '../report/table.ts';
import { judged } from '../report/verdict.ts';
import { aria2Label, runAria2, type Aria2Run } from '../tools/aria2.ts';
import { runCurl } from '../tools/curl.ts';
import { PATHWISE_CONNECTIONS_PER_PATH, runPathwise, type PathwiseRun } from '../tools/pathwise.ts';

/** aria2 with as many connections per path as Pathwise. */
const ARIA2_CONNECTIONS = 2 * PATHWISE_CONNECTIONS_PER_PATH;

function cpuRow(tool: string, t: Timed, ok?: true | string): Row {
  return {
    tool,
    seconds: fmt(t.wallS),
    cpuS: fmt(t.cpuS),
    userS: fmt(t.userS),
    sysS: fmt(t.sysS),
    peakRssMB: fmt(t.maxRssMb, 0),
    ...(ok === undefined ? {} : { ok }),
  };
}

function failuresOf(runs: Array<{ failure: string | null }>): string[] {
  return runs.flatMap((r, i) => (r.failure ? [`round ${i + 1}: ${r.failure}`] : []));
}

/** CPU against aria2's: a failed aria2 round leaves it undecided (its CPU for a failed run proves nothing). */
function cpuTarget(pwCpu: number, ariaCpu: number, pwFailures: string[], ariaFailures: string[]): Target {
  const target = `CPU ≤ 2 × ${aria2Label(ARIA2_CONNECTIONS)} (medians)`;
  if (pwFailures.length > 0)
    return { target, value: `pathwise failed (${pwFailures.join('; ')})`, verdict: 'MISS' };
  if (ariaFailures.length > 0)
    return { target, value: `aria2 failed (${ariaFailures.join('; ')})`, verdict: 'UNDECIDED' };
  return { target, value: fmt(pwCpu / ariaCpu, 2), verdict: judged(pwCpu <= 2 * ariaCpu) };
}

/**
 * CPU and memory on unshaped paths. This machine is a VM whose sys time for the same copy into
 * tmpfs swings 0.5–2.4 s from run to run (first touches of guest memory), so curl warms up first,
 * the tools take turns, `--rounds` rounds each (3 by default), and the medians are compared.
 */
export async function cpu(b: BenchLab): Promise<ScenarioResult> {
  const rows: Row[] = [];
  const figures: ScenarioResult['figures'] = {};
  const rssBySize: number[] = [];
  let pwCpu = Number.NaN;
  let ariaCpu = Number.NaN;
  let pwFailures: string[] = [];
  let ariaFailures: string[] = [];
  for (const sizeMiB of [b.ctx.sizeMiB, b.ctx.cpuSizeMiB]) {
    await b.setup([{ name: 'wlan0' }, { name: 'wwan0' }], sizeMiB);
    if (sizeMiB !== b.ctx.cpuSizeMiB) {
      const pw = await runPathwise(b, ['--paths', 'wlan0,wwan0']);
      rows.push(cpuRow(`pathwise ${sizeMiB} MiB`, pw, pw.failure ?? true));
      rssBySize.push(pw.maxRssMb);
      continue;
    }
    // curl goes first: its 1 GiB warms the memory the output files land in, which the VM
    // otherwise charges to whichever tool writes there first.
    const warmUp = await runCurl(b, 'wlan0');
    const pwRuns: PathwiseRun[] = [];
    const ariaRuns: Aria2Run[] = [];
    for (let round = 1; round <= b.ctx.rounds; round++) {
      // Alternate who goes first, so neither always inherits the other's warmed-up memory.
      const order = round % 2 === 1 ? ['pathwise', 'aria2'] : ['aria2', 'pathwise'];
      for (const tool of order) {
        if (tool === 'pathwise') {
          const pw = await runPathwise(b, ['--paths', 'wlan0,wwan0']);
          pwRuns.push(pw);
          rows.push(cpuRow(`pathwise ${sizeMiB} MiB #${round}`, pw, pw.failure ?? true));
        } else {
          const aria = await runAria2(b, ['wlan0', 'wwan0'], ARIA2_CONNECTIONS);
          ariaRuns.push(aria);
          rows.push(
            cpuRow(`${aria2Label(ARIA2_CONNECTIONS)} ${sizeMiB} MiB #${round}`, aria, aria.failure ?? true),
          );
        }
      }
    }
    pwCpu = median(pwRuns.map((t) => t.cpuS));
    ariaCpu = median(ariaRuns.map((t) => t.cpuS));
    rows.push({ tool: `pathwise ${sizeMiB} MiB median`, cpuS: fmt(pwCpu) });
    rows.push({ tool: `${aria2Label(ARIA2_CONNECTIONS)} ${sizeMiB} MiB median`, cpuS: fmt(ariaCpu) });
    pwFailures = failuresOf(pwRuns);
    ariaFailures = failuresOf(ariaRuns);
    rssBySize.push(Math.max(...pwRuns.map((t) => t.maxRssMb)));
    rows.push(cpuRow(`curl wlan0 ${sizeMiB} MiB (first, warm-up)`, warmUp.timed));
  }
  const peak = Math.max(...rssBySize);
  figures['pathwiseCpuS'] = pwCpu;
  figures['aria2CpuS'] = ariaCpu;
  figures['pathwisePeakRssMb'] = peak;
  return {
    scenario: 'cpu',
    lab: `two unshaped veth paths; ${b.ctx.rounds} alternating rounds at ${b.ctx.cpuSizeMiB} MiB, medians compared`,
    rows,
    figures,
    targets: [
      cpuTarget(pwCpu, ariaCpu, pwFailures, ariaFailures),
      { target: 'peak RSS ≤ 150 MB (every run)', value: fmt(peak, 0), verdict: judged(peak <= 150) },
      {
        target: 'RSS flat in file size',
        value: rssBySize.map((r) => fmt(r, 0)).join(' → '),
        verdict: judged((rssBySize[1] ?? 0) <= (rssBySize[0] ?? 0) * 1.25),
      },
    ],
  };
}
