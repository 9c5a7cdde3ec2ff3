/** The cut and blackhole scenarios' table, figures and targets, from what their races measured. */
import type { Row, ScenarioResult, Target } from '../../report/ScenarioResult.ts';
import { fmt } from '../../report/table.ts';
import type { PathwiseReport } from '../../tools/pathwise.ts';
import type { RaceMedian, RunningRaces } from './alreadyRunning.ts';
import { stallLimitMs, type FaultKind } from './faults.ts';
import type { ShellRace } from './fromShell.ts';

export interface FaultMeasurements {
  kind: FaultKind;
  /** The right file's SHA-256. */
  sha: string;
  /** `pathwise get` from a shell, and the stalls of its failovers. */
  pw: ShellRace & PathwiseReport;
  stalls: number[];
  longest: number;
  /** aria2c from a shell; `ariaOk` when it exited cleanly with the right bytes. */
  aria: ShellRace;
  ariaOk: boolean;
  races: RunningRaces;
}

function faultRows({ sha, pw, longest, aria, ariaOk, races }: FaultMeasurements): Row[] {
  const { pwWarm, ariaWarm, pwUsed, ariaUsed } = races.medians;
  const ofRounds = races.rounds > 1 ? ` (median of ${races.rounds})` : '';
  const running = (tool: string, race: RaceMedian): Row => ({
    tool: `${tool}${ofRounds}`,
    seconds: fmt(race.seconds),
    ok: race.ok,
    firstByteMs: fmt(race.firstByteMs, 0),
  });
  return [
    {
      tool: 'pathwise aggregate',
      seconds: fmt(pw.wallS),
      engineSeconds: fmt((pw.final.durationMs ?? Number.NaN) / 1000),
      ok: pw.final.sha256 === sha,
      longestStallMs: longest,
      wlan0MB: fmt((pw.final.paths?.['wlan0']?.bytes ?? 0) / 1e6),
      firstByteMs: fmt(pw.firstByteMs, 0),
    },
    {
      tool: 'aria2 -x2 --multiple-interface',
      seconds: fmt(aria.wallS),
      ok: ariaOk,
      exit: aria.code,
      firstByteMs: fmt(aria.firstByteMs, 0),
    },
    running('pathwise, app already running', pwWarm),
    running('aria2 RPC daemon already running', ariaWarm),
    running('pathwise, running, after one download', pwUsed),
    running('aria2 daemon, after one download', ariaUsed),
  ];
}

function faultFigures({ pw, stalls, longest, aria, races }: FaultMeasurements): ScenarioResult['figures'] {
  const { pwWarm, ariaWarm, pwUsed, ariaUsed } = races.medians;
  const seconds = (list: Array<{ seconds: number }>): string => list.map((r) => r.seconds).join(',');
  return {
    pathwiseS: pw.wallS,
    aria2S: aria.wallS,
    pathwiseWarmS: pwWarm.seconds,
    aria2WarmS: ariaWarm.seconds,
    pathwiseFirstByteMs: pw.firstByteMs,
    aria2FirstByteMs: aria.firstByteMs,
    pathwiseWarmFirstByteMs: pwWarm.firstByteMs,
    aria2WarmFirstByteMs: ariaWarm.firstByteMs,
    raceRounds: races.rounds,
    pathwiseWarmRuns: seconds(races.runs.pwWarm),
    aria2WarmRuns: seconds(races.runs.ariaWarm),
    pathwiseUsedRuns: seconds(races.runs.pwUsed),
    aria2UsedRuns: seconds(races.runs.ariaUsed),
    pathwiseUsedS: pwUsed.seconds,
    aria2UsedS: ariaUsed.seconds,
    pathwiseUsedFirstByteMs: pwUsed.firstByteMs,
    aria2UsedFirstByteMs: ariaUsed.firstByteMs,
    longestStallMs: longest,
    stalls: stalls.join(','),
  };
}

function faultTargets({ kind, sha, pw, longest, aria, ariaOk, races }: FaultMeasurements): Target[] {
  const { pwWarm, ariaWarm, pwUsed, ariaUsed } = races.medians;
  const limit = stallLimitMs(kind);
  return [
    {
      target: 'completes with the right hash',
      value: String(pw.final.sha256 === sha),
      met: pw.final.sha256 === sha,
    },
    { target: `longest stall ≤ ${limit} ms`, value: fmt(longest, 0), met: longest <= limit },
    {
      target: 'total time ≤ aria2’s (both started from a shell)',
      value: `${fmt(pw.wallS)} vs ${fmt(aria.wallS)}`,
      met: pw.wallS <= aria.wallS || !ariaOk,
    },
    {
      target: 'total time ≤ aria2’s (both already running)',
      value: `${fmt(pwWarm.seconds)} vs ${fmt(ariaWarm.seconds)}`,
      met: pwWarm.ok && (pwWarm.seconds <= ariaWarm.seconds || !ariaWarm.ok),
    },
    {
      target: 'total time ≤ aria2’s (both running, each after one earlier download)',
      value: `${fmt(pwUsed.seconds)} vs ${fmt(ariaUsed.seconds)}`,
      met: pwUsed.ok && (pwUsed.seconds <= ariaUsed.seconds || !ariaUsed.ok),
    },
  ];
}

export function faultResult(m: FaultMeasurements): ScenarioResult {
  const fault = m.kind === 'cut' ? 'set down' : 'blackholed (iptables DROP)';
  return {
    scenario: m.kind,
    lab: `wlan0 40 Mbit + wwan0 20 Mbit, wlan0 ${fault} at 3 s`,
    rows: faultRows(m),
    figures: faultFigures(m),
    targets: faultTargets(m),
  };
}
