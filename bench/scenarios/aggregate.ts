import type { BenchLab } from '../lab/BenchLab.ts';
import { mbit, MiB } from '../measure.ts';
import type { ScenarioResult } from '../report/ScenarioResult.ts';
import { fmt } from '../report/table.ts';
import { runAria2 } from '../tools/aria2.ts';
import { runCurl } from '../tools/curl.ts';
import { runPathwise } from '../tools/pathwise.ts';

/**
 * Two paths at once (40 + 20 Mbit): Pathwise should reach the sum of what curl gets over each
 * path alone, and at least what aria2 gets over both.
 */
export async function aggregate(b: BenchLab): Promise<ScenarioResult> {
  await b.setup(
    [
      { name: 'wlan0', downMbit: 40 },
      { name: 'wwan0', downMbit: 20 },
    ],
    b.ctx.sizeMiB,
  );
  const wlan = await runCurl(b, 'wlan0');
  const wwan = await runCurl(b, 'wwan0', Math.min(b.size, 100 * MiB));
  const aria = await runAria2(b, ['wlan0', 'wwan0'], 2);
  const pw = await runPathwise(b, ['--paths', 'wlan0,wwan0']);
  const sum = wlan.mbit + wwan.mbit;
  const pwMbit = mbit(b.size, pw.wallS);
  const pwEngineMbit = mbit(b.size, (pw.final.durationMs ?? Number.NaN) / 1000);
  const ariaMbit = mbit(b.size, aria.wallS);
  return {
    scenario: 'aggregate',
    lab: 'wlan0 40 Mbit + wwan0 20 Mbit, 0 ms delay',
    rows: [
      { tool: 'curl wlan0', seconds: fmt(wlan.wallS), mbit: fmt(wlan.mbit) },
      { tool: 'curl wwan0', seconds: fmt(wwan.wallS), mbit: fmt(wwan.mbit) },
      { tool: 'aria2 -x2 --multiple-interface', seconds: fmt(aria.wallS), mbit: fmt(ariaMbit), ok: aria.ok },
      {
        tool: 'pathwise aggregate',
        seconds: fmt(pw.wallS),
        mbit: fmt(pwMbit),
        ok: pw.final.sha256 === b.sha,
        engineMbit: fmt(pwEngineMbit),
      },
    ],
    figures: {
      sumCurlMbit: sum,
      pathwiseMbit: pwMbit,
      pathwiseEngineMbit: pwEngineMbit,
      aria2Mbit: ariaMbit,
    },
    targets: [
      {
        target: 'pathwise ≥ 0.98 × (curl wlan0 + curl wwan0)',
        value: fmt(pwMbit / sum, 3),
        met: pwMbit / sum >= 0.98,
      },
      { target: 'pathwise ≥ aria2 -x2', value: fmt(pwMbit / ariaMbit, 3), met: pwMbit >= ariaMbit },
    ],
  };
}
