import type { NetLab } from '../../test/support/netns.ts';
import type { BenchLab } from '../lab/BenchLab.ts';
import type { ScenarioResult } from '../report/ScenarioResult.ts';
import { fmt } from '../report/table.ts';
import { runAria2 } from '../tools/aria2.ts';
import { runPathwise } from '../tools/pathwise.ts';

/**
 * Handover mode with Wi-Fi healthy throughout: cellular stays a standby and carries no payload
 * (only probes and headers, counted by wwan0's receive counter), where aria2 spreads over both.
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
  let before = await lab.counters('wwan0');
  const pw = await runPathwise(b, ['--mode', 'handover', '--paths', 'wlan0,wwan0']);
  const pwWwanRx = (await lab.counters('wwan0')).rx - before.rx;
  before = await lab.counters('wwan0');
  const aria = await runAria2(b, ['wlan0', 'wwan0'], 2);
  const ariaWwanRx = (await lab.counters('wwan0')).rx - before.rx;
  const payload = pw.final.paths?.['wwan0']?.bytes ?? Number.NaN;
  return {
    scenario: 'handover',
    lab: 'wlan0 40 Mbit (healthy throughout) + wwan0 20 Mbit',
    rows: [
      {
        tool: 'pathwise --mode handover',
        seconds: fmt(pw.wallS),
        wwan0PayloadBytes: payload,
        wwan0RxBytes: pwWwanRx,
        ok: pw.final.sha256 === b.sha,
      },
      {
        tool: 'aria2 -x2 --multiple-interface',
        seconds: fmt(aria.wallS),
        wwan0RxBytes: ariaWwanRx,
        wwan0Share: fmt(ariaWwanRx / b.size, 3),
        ok: aria.ok,
      },
    ],
    figures: { pathwiseWwanPayload: payload, pathwiseWwanRx: pwWwanRx, aria2WwanRx: ariaWwanRx },
    targets: [{ target: 'cellular payload bytes = 0', value: String(payload), met: payload === 0 }],
  };
}
