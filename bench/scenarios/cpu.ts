import type { BenchLab } from '../lab/BenchLab.ts';
import type { Timed } from '../lab/timed.ts';
import { median } from '../measure.ts';
import type { Row, ScenarioResult } from '../report/ScenarioResult.ts';
import { fmt } from '../report/table.ts';
import { runAria2 } from '../tools/aria2.ts';
import { runCurl } from '../tools/curl.ts';
import { runPathwise } from '../tools/pathwise.ts';

const CPU_ROUNDS = 3;

function cpuRow(tool: string, t: Timed, ok?: boolean): Row {
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

/**
 * CPU and memory on unshaped paths. This machine is a VM whose sys time for the same copy into
 * tmpfs swings 0.5–2.4 s from run to run (first touches of guest memory), so curl warms up first,
 * the tools take turns, three rounds each, and the medians are compared.
 */
export async function cpu(b: BenchLab): Promise<ScenarioResult> {
  const rows: Row[] = [];
  const figures: ScenarioResult['figures'] = {};
  const rssBySize: number[] = [];
  let pwCpu = Number.NaN;
  let ariaCpu = Number.NaN;
  for (const sizeMiB of [b.ctx.sizeMiB, b.ctx.cpuSizeMiB]) {
    await b.setup([{ name: 'wlan0' }, { name: 'wwan0' }], sizeMiB);
    if (sizeMiB !== b.ctx.cpuSizeMiB) {
      const pw = await runPathwise(b, ['--paths', 'wlan0,wwan0']);
      rows.push(cpuRow(`pathwise ${sizeMiB} MiB`, pw, pw.final.sha256 === b.sha));
      rssBySize.push(pw.maxRssMb);
      continue;
    }
    // curl goes first: its 1 GiB warms the memory the output files land in, which the VM
    // otherwise charges to whichever tool writes there first.
    const warmUp = await runCurl(b, 'wlan0');
    const pwRuns: Timed[] = [];
    const ariaRuns: Timed[] = [];
    for (let round = 1; round <= CPU_ROUNDS; round++) {
      // Alternate who goes first, so neither always inherits the other's warmed-up memory.
      const order = round % 2 === 1 ? ['pathwise', 'aria2'] : ['aria2', 'pathwise'];
      for (const tool of order) {
        if (tool === 'pathwise') {
          const pw = await runPathwise(b, ['--paths', 'wlan0,wwan0']);
          pwRuns.push(pw);
          rows.push(cpuRow(`pathwise ${sizeMiB} MiB #${round}`, pw, pw.final.sha256 === b.sha));
        } else {
          const aria = await runAria2(b, ['wlan0', 'wwan0'], 2);
          ariaRuns.push(aria);
          rows.push(cpuRow(`aria2 -x2 ${sizeMiB} MiB #${round}`, aria, aria.ok));
        }
      }
    }
    pwCpu = median(pwRuns.map((t) => t.cpuS));
    ariaCpu = median(ariaRuns.map((t) => t.cpuS));
    rows.push({ tool: `pathwise ${sizeMiB} MiB median`, cpuS: fmt(pwCpu) });
    rows.push({ tool: `aria2 -x2 ${sizeMiB} MiB median`, cpuS: fmt(ariaCpu) });
    rssBySize.push(Math.max(...pwRuns.map((t) => t.maxRssMb)));
    rows.push(cpuRow(`curl wlan0 ${sizeMiB} MiB (first, warm-up)`, warmUp.timed));
  }
  const peak = Math.max(...rssBySize);
  figures['pathwiseCpuS'] = pwCpu;
  figures['aria2CpuS'] = ariaCpu;
  figures['pathwisePeakRssMb'] = peak;
  return {
    scenario: 'cpu',
    lab: `two unshaped veth paths; ${CPU_ROUNDS} alternating rounds at ${b.ctx.cpuSizeMiB} MiB, medians compared`,
    rows,
    figures,
    targets: [
      { target: 'CPU ≤ 2 × aria2 (medians)', value: fmt(pwCpu / ariaCpu, 2), met: pwCpu <= 2 * ariaCpu },
      { target: 'peak RSS ≤ 150 MB (every run)', value: fmt(peak, 0), met: peak <= 150 },
      {
        target: 'RSS flat in file size',
        value: rssBySize.map((r) => fmt(r, 0)).join(' → '),
        met: (rssBySize[1] ?? 0) <= (rssBySize[0] ?? 0) * 1.25,
      },
    ],
  };
}
