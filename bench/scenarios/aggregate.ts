import type { BenchLab } from '../lab/BenchLab.ts';
import { mbit, median, MiB, takeTurns } from '../measure.ts';
import type { Row, ScenarioResult, Target } from '../report/ScenarioResult.ts';
import { fmt } from '../report/table.ts';
import { fasterThanAria2, judged, ofRounds, okCell, type Rounds } from '../report/verdict.ts';
import { aria2Label, runAria2, type Aria2Run } from '../tools/aria2.ts';
import { runCurl, type CurlRun } from '../tools/curl.ts';
import { PATHWISE_CONNECTIONS_PER_PATH, runPathwise, type PathwiseRun } from '../tools/pathwise.ts';

const PATHS = ['wlan0', 'wwan0'];

/** aria2's totals tried once each for its best: 1, 2, 4 and 8 connections per path. */
const ARIA2_TRIALS = [2, 4, 8, 16];

interface Trial {
  connections: number;
  run: Aria2Run;
}

/** The count aria2 was fastest at (of the trials that ended well); `fallback` if none did. */
function bestOf(trials: Trial[], fallback: number): number {
  const ok = trials.filter((t) => t.run.ok).sort((x, y) => x.run.wallS - y.run.wallS);
  return ok[0]?.connections ?? fallback;
}

interface Measured {
  curl: { wlan: CurlRun; wwan: CurlRun };
  trials: Trial[];
  matched: number;
  best: number;
  pw: PathwiseRun[];
  /** aria2's rounds by connection count: the matched one, and its best if that differs. */
  aria: Map<number, Aria2Run[]>;
}

async function measure(b: BenchLab): Promise<Measured> {
  const wlan = await runCurl(b, 'wlan0');
  const wwan = await runCurl(b, 'wwan0', Math.min(b.size, 100 * MiB));
  const matched = PATHS.length * PATHWISE_CONNECTIONS_PER_PATH;
  const trials: Trial[] = [];
  for (const connections of ARIA2_TRIALS)
    trials.push({ connections, run: await runAria2(b, PATHS, connections) });
  const best = bestOf(trials, matched);
  const pw: PathwiseRun[] = [];
  const aria = new Map<number, Aria2Run[]>();
  const contenders: Record<string, () => Promise<void>> = {
    pathwise: async () => void pw.push(await runPathwise(b, ['--paths', PATHS.join(',')])),
  };
  for (const n of new Set([matched, best])) {
    const runs: Aria2Run[] = [];
    aria.set(n, runs);
    contenders[`aria2 ${n}`] = async () => void runs.push(await runAria2(b, PATHS, n));
  }
  await takeTurns(b.ctx.rounds, contenders);
  return { curl: { wlan, wwan }, trials, matched, best, pw, aria };
}

const roundsOf = (runs: Array<{ wallS: number; failure: string | null }>): Rounds =>
  ofRounds(runs.map((r) => ({ seconds: r.wallS, failure: r.failure })));

function rows(m: Measured, size: number, rounds: number): Row[] {
  const ofN = rounds > 1 ? `, median of ${rounds}` : '';
  const curlRow = (tool: string, c: CurlRun): Row => ({
    tool,
    seconds: fmt(c.wallS),
    mbit: fmt(c.mbit),
    ok: c.failure ?? true,
  });
  const timedRow = (tool: string, r: Rounds): Row => ({
    tool: `${tool}${ofN}`,
    seconds: fmt(r.seconds),
    mbit: fmt(mbit(size, r.seconds)),
    ok: okCell(r),
    runs: r.runs.map((s) => fmt(s)).join(' '),
  });
  const pw = roundsOf(m.pw);
  return [
    curlRow('curl wlan0', m.curl.wlan),
    curlRow('curl wwan0', m.curl.wwan),
    ...m.trials.map((t) => ({
      tool: `${aria2Label(t.connections)}, trial`,
      seconds: fmt(t.run.wallS),
      mbit: fmt(mbit(size, t.run.wallS)),
      ok: t.run.failure ?? true,
    })),
    ...[...m.aria].map(([n, runs]) => {
      const what =
        n === m.best ? (n === m.matched ? ' = Pathwise’s, its best' : ', its best') : ' = Pathwise’s';
      return timedRow(`${aria2Label(n)}${what}`, roundsOf(runs));
    }),
    {
      ...timedRow('pathwise aggregate', pw),
      engineMbit: fmt(mbit(size, median(m.pw.map((r) => (r.final.durationMs ?? Number.NaN) / 1000)))),
    },
  ];
}

function targets(m: Measured, size: number): Target[] {
  const pw = roundsOf(m.pw);
  const sum = m.curl.wlan.mbit + m.curl.wwan.mbit;
  const ratio = mbit(size, pw.seconds) / sum;
  const curlFailed = [m.curl.wlan.failure, m.curl.wwan.failure].filter(Boolean);
  const sumTarget = 'pathwise ≥ 0.98 × (curl wlan0 + curl wwan0)';
  const list: Target[] = [
    pw.failures.length > 0
      ? { target: sumTarget, value: `pathwise failed (${pw.failures.join('; ')})`, verdict: 'MISS' }
      : curlFailed.length > 0
        ? { target: sumTarget, value: `curl failed (${curlFailed.join('; ')})`, verdict: 'UNDECIDED' }
        : { target: sumTarget, value: fmt(ratio, 3), verdict: judged(ratio >= 0.98) },
  ];
  for (const [n, runs] of m.aria) {
    const which =
      n === m.matched ? 'as many connections per path' : `its best of -x${ARIA2_TRIALS.join('/')}`;
    list.push(fasterThanAria2(`pathwise ≥ ${aria2Label(n)} (${which})`, pw, roundsOf(runs)));
  }
  return list;
}

/**
 * Two paths at once (40 + 20 Mbit): Pathwise should reach the sum of what curl gets over each
 * path alone, and at least what aria2 gets over both, with as many connections per path and at
 * the count aria2 did best at (each tried once; --size applies).
 */
export async function aggregate(b: BenchLab): Promise<ScenarioResult> {
  await b.setup(
    [
      { name: 'wlan0', downMbit: 40 },
      { name: 'wwan0', downMbit: 20 },
    ],
    b.ctx.sizeMiB,
  );
  const m = await measure(b);
  const pw = roundsOf(m.pw);
  const figures: ScenarioResult['figures'] = {
    sumCurlMbit: m.curl.wlan.mbit + m.curl.wwan.mbit,
    pathwiseMbit: mbit(b.size, pw.seconds),
    pathwiseEngineMbit: mbit(b.size, median(m.pw.map((r) => (r.final.durationMs ?? Number.NaN) / 1000))),
    pathwiseRuns: pw.runs.join(','),
    aria2Matched: m.matched,
    aria2Best: m.best,
    aria2Trials: m.trials.map((t) => `${t.connections}:${t.run.ok ? t.run.wallS : 'failed'}`).join(','),
  };
  for (const [n, runs] of m.aria) {
    figures[`aria2x${n}Mbit`] = mbit(b.size, roundsOf(runs).seconds);
    figures[`aria2x${n}Runs`] = runs.map((r) => r.wallS).join(',');
  }
  return {
    scenario: 'aggregate',
    lab: `wlan0 40 Mbit + wwan0 20 Mbit, 0 ms delay; ${b.ctx.rounds} round(s), tools taking turns`,
    rows: rows(m, b.size, b.ctx.rounds),
    figures,
    targets: targets(m, b.size),
  };
}
