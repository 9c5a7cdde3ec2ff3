import type { BenchLab } from '../lab/BenchLab.ts';
import { MiB } from '../measure.ts';
import type { Row, ScenarioResult } from '../report/ScenarioResult.ts';
import { fmt } from '../report/table.ts';
import { runAria2 } from '../tools/aria2.ts';
import { runCurl } from '../tools/curl.ts';
import { runPathwise } from '../tools/pathwise.ts';

/**
 * A fast and a very slow path (80 + 5 Mbit): the slow path must not hold the end of the download
 * back. The ideal is the file's size over the sum of both paths' goodputs (curl's, one path
 * each); Pathwise is timed at 1, 2 and 4 connections per path.
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
  const ideal = (b.size * 8) / ((fast.mbit + slow.mbit) * 1e6);
  const rows: Row[] = [
    { tool: 'curl wlan0', seconds: fmt(fast.wallS), mbit: fmt(fast.mbit) },
    { tool: 'curl wwan0 (sample)', seconds: fmt(slow.wallS), mbit: fmt(slow.mbit) },
    { tool: 'ideal size/(sum of goodputs)', seconds: fmt(ideal) },
  ];
  const aria8 = await runAria2(b, ['wlan0', 'wwan0'], 8);
  rows.push({
    tool: 'aria2 -x8 --multiple-interface',
    seconds: fmt(aria8.wallS),
    ratio: fmt(aria8.wallS / ideal, 3),
    ok: aria8.ok,
  });
  const targets: ScenarioResult['targets'] = [];
  const figures: ScenarioResult['figures'] = {
    idealS: ideal,
    aria2x8S: aria8.wallS,
    fastAloneS: (b.size * 8) / (fast.mbit * 1e6),
  };
  for (const connections of [1, 2, 4]) {
    const pw = await runPathwise(b, ['--paths', 'wlan0,wwan0', '--connections', String(connections)]);
    const ratio = pw.wallS / ideal;
    const engineRatio = (pw.final.durationMs ?? Number.NaN) / 1000 / ideal;
    rows.push({
      tool: `pathwise --connections ${connections}`,
      seconds: fmt(pw.wallS),
      ratio: fmt(ratio, 3),
      engineRatio: fmt(engineRatio, 3),
      ok: pw.final.sha256 === b.sha,
    });
    figures[`pathwiseS_c${connections}`] = pw.wallS;
    targets.push({
      target: `pathwise (${connections} conn/path) ≤ 1.03 × ideal`,
      value: fmt(ratio, 3),
      met: ratio <= 1.03,
    });
  }
  return { scenario: 'heterogeneous', lab: 'wlan0 80 Mbit + wwan0 5 Mbit', rows, figures, targets };
}
