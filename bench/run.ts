/**
 * Benchmarks for the multipath engine (issue 3), measured against curl (one path each) and
 * aria2 (--multiple-interface) in the same run, on the same namespace lab and the same nginx.
 *
 *   npm run bench                      # every scenario, 200 MiB (1 GiB for cpu)
 *   npm run bench -- aggregate cut     # some scenarios
 *   npm run bench -- --size 50         # a smaller file (MiB), for a quick check
 *   npm run bench -- --rounds 1        # each decisive run once instead of three times
 *
 * Needs root (network namespaces), nginx, curl and aria2 (scripts/install-test-deps.sh), and a
 * built dashboard (`npm run build`) for the warm runs, which drive `pathwise serve` (bench/warm.ts).
 * Prints a table per scenario and writes every figure to bench/results/<time>.json.
 * What each scenario measures, and its targets: bench/README.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { canUseNetns } from '../test/support/netns.ts';
import { BenchLab } from './lab/BenchLab.ts';
import { writeResults } from './report/resultsFile.ts';
import type { ScenarioResult } from './report/ScenarioResult.ts';
import { printResult } from './report/table.ts';
import { aggregate } from './scenarios/aggregate.ts';
import { cpu } from './scenarios/cpu.ts';
import { fault } from './scenarios/fault/fault.ts';
import { handover } from './scenarios/handover.ts';
import { heterogeneous } from './scenarios/heterogeneous.ts';
import { killResume } from './scenarios/kill.ts';
import { mirrors } from './scenarios/mirrors.ts';
import { pushback } from './scenarios/pushback.ts';

type Scenario = (b: BenchLab) => Promise<ScenarioResult>;

/** By name, in the order `npm run bench` runs them all. */
const SCENARIOS: Record<string, Scenario> = {
  aggregate,
  heterogeneous,
  cut: (b) => fault(b, 'cut'),
  blackhole: (b) => fault(b, 'blackhole'),
  handover,
  kill: killResume,
  cpu,
  mirrors,
  pushback,
};

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      size: { type: 'string', default: '200' },
      'cpu-size': { type: 'string', default: '1024' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds takes a whole number ≥ 1, not ${values.rounds}`);
  if (!canUseNetns()) {
    console.error('The benchmarks build network namespaces: run them as root (and with iproute2 installed).');
    process.exitCode = 2;
    return;
  }
  const names = positionals.length ? positionals : Object.keys(SCENARIOS);
  for (const name of names) {
    if (!SCENARIOS[name])
      throw new Error(`Unknown scenario ${name}; choose from ${Object.keys(SCENARIOS).join(', ')}`);
  }
  const work = mkdtempSync('/dev/shm/pw-bench-');
  // Every Pathwise the bench starts keeps its ledger and settings here, never in the user's home.
  process.env['PATHWISE_DATA_DIR'] ??= mkdtempSync(join(work, 'data-'));
  const bench = new BenchLab({
    sizeMiB: Number(values.size),
    cpuSizeMiB: Number(values['cpu-size']),
    rounds,
    work,
  });
  const results: ScenarioResult[] = [];
  const load = loadavg();
  console.log(
    `Pathwise benchmarks — ${new Date().toISOString()}, load average ${load.map((l) => l.toFixed(2)).join(' ')}, ${rounds} round(s)`,
  );
  try {
    for (const name of names) {
      const result = await (SCENARIOS[name] as Scenario)(bench);
      results.push(result);
      printResult(result);
    }
  } finally {
    await bench.teardown();
    rmSync(work, { recursive: true, force: true });
    const { sizeMiB, cpuSizeMiB } = bench.ctx;
    const file = writeResults(load, { sizeMiB, cpuSizeMiB, rounds }, results);
    console.log(`\nFigures written to ${file}`);
  }
}

await main();
