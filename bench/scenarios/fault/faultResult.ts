/** The cut and blackhole scenarios' table, figures and targets, from what their races measured. */
import { median } from '../../measure.ts';
import type { Row, ScenarioResult, Target } from '../../report/ScenarioResult.ts';
import { fmt } from '../../report/table.ts';
import { fasterThanAria2, judged, ofRounds, okCell, type Rounds } from '../../report/verdict.ts';
import { aria2Label } from '../../tools/aria2.ts';
import { stallLimitMs, type FaultKind } from './faults.ts';
import { RACES, type PathwiseShellRun, type RaceName, type RaceRun } from './raceRun.ts';

export interface FaultMeasurements {
  kind: FaultKind;
  rounds: number;
  /** aria2's connections in all: as many per path as Pathwise's. */
  aria2Connections: number;
  /** Pathwise's shell runs with their failover details (also in `pw.shell`). */
  pwShell: PathwiseShellRun[];
  pw: Record<RaceName, RaceRun[]>;
  aria: Record<RaceName, RaceRun[]>;
}

const RACE_WORDS: Record<RaceName, { pw: string; aria: string; target: string }> = {
  shell: { pw: 'pathwise get', aria: 'aria2c', target: 'both started from a shell' },
  warm: {
    pw: 'pathwise, app already running',
    aria: 'aria2 RPC daemon already running',
    target: 'both already running',
  },
  used: {
    pw: 'pathwise, running, after one download',
    aria: 'aria2 daemon, after one download',
    target: 'both running, each after one earlier download',
  },
  handed: {
    pw: 'pathwise get from a shell, handed to the running app',
    aria: 'aria2c',
    target: 'typed in a shell, Pathwise’s app running, vs aria2c',
  },
};

/** aria2's runs a race is judged against: the handed race's are aria2c's from a shell. */
const ariaRuns = (m: FaultMeasurements, race: RaceName): RaceRun[] =>
  m.aria[race === 'handed' ? 'shell' : race];

const roundsOf = (runs: RaceRun[]): Rounds => ofRounds(runs);

/** Each shell run's longest failover stall (NaN for a run that reported none). */
const longestStalls = (runs: PathwiseShellRun[]): number[] =>
  runs.map((r) => (r.stalls.length ? Math.max(...r.stalls) : Number.NaN));

function faultRows(m: FaultMeasurements): Row[] {
  const ofN = m.rounds > 1 ? ` (median of ${m.rounds})` : '';
  const row = (tool: string, runs: RaceRun[]): Row => {
    const r = roundsOf(runs);
    return {
      tool: `${tool}${ofN}`,
      seconds: fmt(r.seconds),
      ok: okCell(r),
      firstByteMs: fmt(median(runs.map((x) => x.firstByteMs)), 0),
      runs: r.runs.map((s) => fmt(s)).join(' '),
    };
  };
  const aria = aria2Label(m.aria2Connections);
  return RACES.flatMap((race) => {
    const pwRow = row(RACE_WORDS[race].pw, m.pw[race]);
    const ariaRow = row(`${RACE_WORDS[race].aria}, ${aria}`, m.aria[race]);
    // Its aria2 row is the shell race's, already shown.
    if (race === 'handed') return [pwRow];
    if (race !== 'shell') return [pwRow, ariaRow];
    const shell = {
      ...pwRow,
      engineSeconds: fmt(median(m.pwShell.map((r) => r.engineSeconds))),
      longestStallMs: fmt(median(longestStalls(m.pwShell)), 0),
      wlan0MB: fmt(median(m.pwShell.map((r) => r.wlan0Bytes)) / 1e6),
    };
    return [shell, ariaRow];
  });
}

function faultFigures(m: FaultMeasurements): ScenarioResult['figures'] {
  const figures: ScenarioResult['figures'] = {
    raceRounds: m.rounds,
    aria2Connections: m.aria2Connections,
    longestStallMs: median(longestStalls(m.pwShell)),
    longestStallRuns: longestStalls(m.pwShell).join(','),
    stalls: m.pwShell.map((r) => r.stalls.join('/')).join(','),
  };
  for (const race of RACES) {
    for (const [tool, runs] of [
      ['pathwise', m.pw[race]],
      ['aria2', ariaRuns(m, race)],
    ] as const) {
      const key = `${tool}${race[0]?.toUpperCase()}${race.slice(1)}`;
      figures[`${key}S`] = roundsOf(runs).seconds;
      figures[`${key}Runs`] = runs.map((r) => (r.failure ? `failed:${r.failure}` : r.seconds)).join(',');
      figures[`${key}FirstByteMs`] = median(runs.map((r) => r.firstByteMs));
    }
  }
  return figures;
}

function faultTargets(m: FaultMeasurements): Target[] {
  const limit = stallLimitMs(m.kind);
  const shellFailures = roundsOf(m.pw.shell).failures;
  const stalls = longestStalls(m.pwShell);
  const stall = median(stalls);
  return [
    {
      target: 'completes with the right hash (from a shell, every round)',
      value: shellFailures.length ? shellFailures.join('; ') : 'true',
      verdict: judged(shellFailures.length === 0),
    },
    {
      target: `longest stall ≤ ${limit} ms (median)`,
      value: `${fmt(stall, 0)} (rounds: ${stalls.map((s) => fmt(s, 0)).join(', ')})`,
      verdict: judged(stall <= limit),
    },
    ...RACES.map((race) =>
      fasterThanAria2(
        `total time ≤ ${aria2Label(m.aria2Connections)}’s (${RACE_WORDS[race].target})`,
        roundsOf(m.pw[race]),
        roundsOf(ariaRuns(m, race)),
      ),
    ),
  ];
}

export function faultResult(m: FaultMeasurements): ScenarioResult {
  const fault = m.kind === 'cut' ? 'set down' : 'blackholed (iptables DROP)';
  return {
    scenario: m.kind,
    lab: `wlan0 40 Mbit + wwan0 20 Mbit, wlan0 ${fault} at 3 s; ${m.rounds} round(s)`,
    rows: faultRows(m),
    figures: faultFigures(m),
    targets: faultTargets(m),
  };
}
