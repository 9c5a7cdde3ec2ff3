import type { BenchLab } from '../lab/BenchLab.ts';
import { median, MiB, takeTurns } from '../measure.ts';
import type { Row, ScenarioResult, Target } from '../report/ScenarioResult.ts';
import { fmt } from '../report/table.ts';
import { judged, ofRounds, okCell } from '../report/verdict.ts';
import { aria2Label, runAria2 } from '../tools/aria2.ts';
import { runCurl } from '../tools/curl.ts';
import { runPathwise, type PathwiseRun } from '../tools/pathwise.ts';

const PATHS = ['wlan0', 'wwan0'];
/** Pathwise's connections per path here; aria2 gets as many (2 × this in all). */
const PER_PATH = [1, 2, 4];

/** Pathwise at each count, `rounds` times, the counts taking turns. */
async function pathwiseRounds(b: BenchLab): Promise<Map<number, PathwiseRun[]>> {
  const runs = new Map<number, PathwiseRun[]>(PER_PATH.map((n) => [n, []]));
  const contenders: Record<string, () => Promise<void>> = {};
  for (const n of PER_PATH) {
    const args = ['--paths', PATHS.join(','), '--connections', String(n)];
    contenders[String(n)] = async () => void runs.get(n)?.push(await runPathwise(b, args));
  }
  await takeTurns(b.ctx.rounds, contenders);
  return runs;
}

/**
 * A fast and a very slow path (80 + 5 Mbit): the slow path must not hold the end of the download
 * back. The ideal is the file's size over the sum of both paths' goodputs (curl's, one path
 * each); Pathwise is timed at 1, 2 and 4 connections per path (medians of the rounds), aria2
 * once at each of the same counts, for comparison (it decides no target here).
 */
export async function heterogeneous(b: BenchLab): Promise<ScenarioResult> {
  await b.setup(
    [
      { name: 'wlan0', downMbit: 80 },
      { name: 'wwan0', downMbit: 5 },
    ],
    b.ctx.sizeMiB,
  );
  const fast = await runCurl(b, 'wlan0');
  const slow = await runCurl(b, 'wwan0', Math.min(b.size, 20 * MiB));
  const curlFailed = [fast.failure, slow.failure].filter(Boolean);
  const ideal = (b.size * 8) / ((fast.mbit + slow.mbit) * 1e6);
  const rows: Row[] = [
    { tool: 'curl wlan0', seconds: fmt(fast.wallS), mbit: fmt(fast.mbit), ok: fast.failure ?? true },
    { tool: 'curl wwan0 (sample)', seconds: fmt(slow.wallS), mbit: fmt(slow.mbit), ok: slow.failure ?? true },
    { tool: 'ideal size/(sum of goodputs)', seconds: fmt(ideal) },
  ];
  const figures: ScenarioResult['figures'] = { idealS: ideal, fastAloneS: (b.size * 8) / (fast.mbit * 1e6) };
  for (const n of PER_PATH) {
    const aria = await runAria2(b, PATHS, n * PATHS.length);
    rows.push({
      tool: `${aria2Label(n * PATHS.length)}, once`,
      seconds: fmt(aria.wallS),
      ratio: fmt(aria.wallS / ideal, 3),
      ok: aria.failure ?? true,
    });
    figures[`aria2S_c${n}`] = aria.ok ? aria.wallS : null;
  }
  const targets: Target[] = [];
  const ofN = b.ctx.rounds > 1 ? `, median of ${b.ctx.rounds}` : '';
  for (const [n, runs] of await pathwiseRounds(b)) {
    const r = ofRounds(runs.map((t) => ({ seconds: t.wallS, failure: t.failure })));
    const ratio = r.seconds / ideal;
    rows.push({
      tool: `pathwise --connections ${n}${ofN}`,
      seconds: fmt(r.seconds),
      ratio: fmt(ratio, 3),
      engineRatio: fmt(median(runs.map((t) => (t.final.durationMs ?? Number.NaN) / 1000)) / ideal, 3),
      ok: okCell(r),
      runs: r.runs.map((s) => fmt(s)).join(' '),
    });
    figures[`pathwiseS_c${n}`] = r.seconds;
    figures[`pathwiseRuns_c${n}`] = r.runs.join(',');
    const target = `pathwise (${n} conn/path) ≤ 1.03 × ideal`;
    if (r.failures.length > 0)
      targets.push({ target, value: `failed (${r.failures.join('; ')})`, verdict: 'MISS' });
    else if (curlFailed.length > 0)
      targets.push({ target, value: `curl failed (${curlFailed.join('; ')})`, verdict: 'UNDECIDED' });
    else targets.push({ target, value: fmt(ratio, 3), verdict: judged(ratio <= 1.03) });
  }
  return { scenario: 'heterogeneous', lab: 'wlan0 80 Mbit + wwan0 5 Mbit', rows, figures, targets };
}
