import type { NetLab } from '../../test/support/netns.ts';
import type { BenchLab } from '../lab/BenchLab.ts';
import type { Row, ScenarioResult, Target } from '../report/ScenarioResult.ts';
import { fmt } from '../report/table.ts';
import { judged } from '../report/verdict.ts';
import { aria2Label, runAria2 } from '../tools/aria2.ts';
import { PATHWISE_CONNECTIONS_PER_PATH, runPathwise, type PathwiseRun } from '../tools/pathwise.ts';

const PATHS = ['wlan0', 'wwan0'];

interface HandoverRun {
  run: PathwiseRun;
  /** The engine's own count of payload bytes over wwan0. */
  payload: number;
  /** wwan0's receive counter over the run: payload, probes and headers. */
  wwanRx: number;
}

/**
 * Handover mode with Wi-Fi healthy throughout: cellular stays a standby and carries no payload
 * (only probes and headers, counted by wwan0's receive counter), where aria2 spreads over both.
 * Pathwise runs `rounds` times and must carry none in any of them (one round with cellular
 * payload is a broken promise, whatever the others did); aria2, which decides nothing here, once.
 */
export async function handover(b: BenchLab): Promise<ScenarioResult> {
  await b.setup(
    [
      { name: 'wlan0', downMbit: 40 },
      { name: 'wwan0', downMbit: 20 },
    ],
    b.ctx.sizeMiB,
  );
  const lab = b.lab as NetLab;
  const wwanRx = async (): Promise<number> => (await lab.counters('wwan0')).rx;
  const runs: HandoverRun[] = [];
  for (let round = 0; round < b.ctx.rounds; round++) {
    const before = await wwanRx();
    const run = await runPathwise(b, ['--mode', 'handover', '--paths', PATHS.join(',')]);
    const payload = run.final.paths?.['wwan0']?.bytes ?? Number.NaN;
    runs.push({ run, payload, wwanRx: (await wwanRx()) - before });
  }
  const connections = PATHS.length * PATHWISE_CONNECTIONS_PER_PATH;
  const before = await wwanRx();
  const aria = await runAria2(b, PATHS, connections);
  const ariaWwanRx = (await wwanRx()) - before;
  const rows: Row[] = runs.map(({ run, payload, wwanRx: rx }, i) => ({
    tool: `pathwise --mode handover #${i + 1}`,
    seconds: fmt(run.wallS),
    wwan0PayloadBytes: payload,
    wwan0RxBytes: rx,
    ok: run.failure ?? true,
  }));
  rows.push({
    tool: `${aria2Label(connections)} --multiple-interface`,
    seconds: fmt(aria.wallS),
    wwan0RxBytes: ariaWwanRx,
    wwan0Share: fmt(ariaWwanRx / b.size, 3),
    ok: aria.failure ?? true,
  });
  const failures = runs.flatMap((r, i) => (r.run.failure ? [`round ${i + 1}: ${r.run.failure}`] : []));
  const worst = Math.max(...runs.map((r) => r.payload));
  const target: Target =
    failures.length > 0
      ? { target: 'cellular payload bytes = 0', value: `failed (${failures.join('; ')})`, verdict: 'MISS' }
      : {
          target: `cellular payload bytes = 0 (in each of ${runs.length} round(s))`,
          value: runs.map((r) => r.payload).join(', '),
          verdict: judged(worst === 0),
        };
  return {
    scenario: 'handover',
    lab: 'wlan0 40 Mbit (healthy throughout) + wwan0 20 Mbit',
    rows,
    figures: {
      pathwiseWwanPayload: worst,
      pathwiseWwanRx: runs.map((r) => r.wwanRx).join(','),
      aria2WwanRx: ariaWwanRx,
    },
    targets: [target],
  };
}
