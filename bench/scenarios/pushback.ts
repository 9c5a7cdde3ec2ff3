import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetLab } from '../../test/support/netns.ts';
import type { BenchLab } from '../lab/BenchLab.ts';
import { PUSHBACK_LIMITS, PUSHBACK_URL, startPushback, TOO_MANY_URL } from '../lab/nginx.ts';
import { sleep } from '../lab/sleep.ts';
import { holdsFile } from '../lab/testFile.ts';
import { runFailure, timed } from '../lab/timed.ts';
import { mbit, median, takeTurns } from '../measure.ts';
import type { Row, ScenarioResult, Target } from '../report/ScenarioResult.ts';
import { fmt } from '../report/table.ts';
import { judged, ofRounds, okCell, type Rounds } from '../report/verdict.ts';
import { raceTimeoutMs } from './fault/faults.ts';
import { ARIA2_RESILIENCE, aria2ConnectionArgs } from '../tools/aria2Options.ts';
import { PATHWISE_BIN } from '../../test/support/cli.ts';
import { PATHWISE_CONNECTIONS_PER_PATH, withOutcome, type PathwiseRun } from '../tools/pathwise.ts';

const PATHS = ['wlan0', 'wwan0'];
/** Both tools open this many connections in all: Pathwise's default, 2 per path. */
const CONNECTIONS = PATHS.length * PATHWISE_CONNECTIONS_PER_PATH;
/**
 * How much slower than aria2 Pathwise may finish and still meet the time target: it waits as the
 * server asks (Retry-After) where aria2 asks again every second, which may cost it a little; more
 * than 5 % would be a polite client paying too much for it.
 */
const SLOWER_AT_MOST = 0.05;
/**
 * The pause before each run: long enough for the server's rate limit to forget the run before
 * (its allowance refills at `perSecond`), so every run starts against the same server.
 */
const SETTLE_MS = (1000 * (PUSHBACK_LIMITS.burst + 1)) / PUSHBACK_LIMITS.perSecond + 500;

/** What the server's access log holds for one run: its requests, refusals and bytes. */
interface ServerLog {
  requests: number;
  /** Answered 503 or 429… */
  refused: number;
  /** …of them, for a request beyond the connection limit (the rest: beyond the rate limit). */
  refusedByConnections: number;
  /** Body bytes of the 2xx answers: the payload sent, re-sent ranges and cut-off answers included. */
  payloadBytes: number;
}

interface ToolRun {
  wallS: number;
  failure: string | null;
  log: ServerLog;
  /** Pathwise's own download time, start-up left out (null for aria2). */
  engineS: number | null;
}

const logSize = (log: string): number => {
  try {
    return statSync(log).size;
  } catch {
    return 0;
  }
};

/**
 * Where each run's share of the access log is kept, when the environment names a folder: the
 * bench's own work folder goes when it ends, and each path's request timeline (the gaps between
 * one request's end and the next on the same address) is where a tool's waits show.
 */
const KEEP_LOG_DIR = process.env['PATHWISE_BENCH_PUSHBACK_LOGS'];
let keptLogs = 0;

/** Keeps `text` (one run's lines) as `<seq>-<tool>-<port>.log` in KEEP_LOG_DIR, when set. */
function keepLog(text: string, tool: string, port: number): void {
  if (!KEEP_LOG_DIR) return;
  mkdirSync(KEEP_LOG_DIR, { recursive: true });
  const lines = text.split('\n').filter((line) => line.split(' ')[1] === String(port));
  writeFileSync(join(KEEP_LOG_DIR, `${++keptLogs}-${tool}-${port}.log`), `${lines.join('\n')}\n`);
}

/**
 * The access log's lines for `port` from byte `from` on, once nginx has written the last request
 * of the run (it logs a request as it ends; the client's connections close as it exits).
 */
async function logShare(log: string, from: number, port: number, tool: string): Promise<ServerLog> {
  let size = logSize(log);
  for (let i = 0; i < 20; i++) {
    await sleep(150);
    const now = logSize(log);
    if (now === size && i > 0) break;
    size = now;
  }
  const share = { requests: 0, refused: 0, refusedByConnections: 0, payloadBytes: 0 };
  const text = readFileSync(log).subarray(from).toString();
  keepLog(text, tool, port);
  for (const line of text.split('\n')) {
    const [, logPort, , status, bytes, connLimit] = line.split(' ');
    if (Number(logPort) !== port) continue;
    share.requests++;
    if (status === '503' || status === '429') {
      share.refused++;
      if (connLimit === 'REJECTED') share.refusedByConnections++;
    } else if (status?.startsWith('2')) share.payloadBytes += Number(bytes);
  }
  return share;
}

const portOf = (url: string): number => Number(new URL(url).port);

/** aria2c over both paths with Pathwise's connection count and the resilience options of every race. */
async function runAria2(b: BenchLab, url: string, log: string): Promise<ToolRun> {
  b.clean();
  await sleep(SETTLE_MS);
  const args = [
    ...aria2ConnectionArgs(CONNECTIONS),
    // --max-tries=0 and --retry-wait=1: a 503 is retried after 1 s, without end. aria2 reads no
    // Retry-After, and a 429 is an error like any other 4xx (it gives that URI up).
    ...ARIA2_RESILIENCE,
    `--multiple-interface=${PATHS.map((p) => b.addr(p)).join(',')}`,
    ...['-d', b.out, '-o', 'aria2.bin'],
    '--file-allocation=none',
    '--allow-overwrite=true',
    '--auto-file-renaming=false',
    '--console-log-level=warn',
    '--summary-interval=0',
    url,
  ];
  const from = logSize(log);
  const t = await timed(b.lab as NetLab, 'aria2c', args, { timeoutMs: raceTimeoutMs(b.size) });
  const failure = runFailure(t, await holdsFile(join(b.out, 'aria2.bin'), b.sha));
  return { wallS: t.wallS, failure, log: await logShare(log, from, portOf(url), 'aria2'), engineS: null };
}

async function runPathwise(b: BenchLab, url: string, log: string): Promise<ToolRun> {
  b.clean();
  await sleep(SETTLE_MS);
  const args = ['get', url, '-o', join(b.out, 'pathwise.bin'), '--json', '--paths', PATHS.join(',')];
  const from = logSize(log);
  const run: PathwiseRun = withOutcome(
    await timed(b.lab as NetLab, PATHWISE_BIN, args, { timeoutMs: raceTimeoutMs(b.size) }),
    b.sha,
  );
  return {
    wallS: run.wallS,
    failure: run.failure,
    log: await logShare(log, from, portOf(url), 'pathwise'),
    engineS: (run.final.durationMs ?? Number.NaN) / 1000,
  };
}

const roundsOf = (runs: ToolRun[]): Rounds =>
  ofRounds(runs.map((r) => ({ seconds: r.wallS, failure: r.failure })));

const refusedOf = (runs: ToolRun[]): number => median(runs.map((r) => r.log.refused));

/**
 * A comparison with aria2 on one race: Pathwise failing any round is a miss, aria2 failing any
 * round (Pathwise not) leaves it undecided; else `met` on the medians.
 */
function against(target: string, pw: Rounds, aria: Rounds, value: string, met: boolean): Target {
  if (pw.failures.length > 0)
    return { target, value: `pathwise failed (${pw.failures.join('; ')})`, verdict: 'MISS' };
  if (aria.failures.length > 0)
    return { target, value: `aria2 failed (${aria.failures.join('; ')}); ${value}`, verdict: 'UNDECIDED' };
  return { target, value, verdict: judged(met) };
}

/** The two targets of one race: no more refusals than aria2, and a time within SLOWER_AT_MOST of its. */
function raceTargets(race: string, pwRuns: ToolRun[], ariaRuns: ToolRun[]): Target[] {
  const pw = roundsOf(pwRuns);
  const aria = roundsOf(ariaRuns);
  const [pwRefused, ariaRefused] = [refusedOf(pwRuns), refusedOf(ariaRuns)];
  const bound = aria.seconds * (1 + SLOWER_AT_MOST);
  return [
    against(
      `${race}: refused requests, pathwise ≤ aria2 -x${CONNECTIONS}`,
      pw,
      aria,
      `${pwRefused} vs ${ariaRefused}`,
      pwRefused <= ariaRefused,
    ),
    against(
      `${race}: pathwise ≤ aria2 + ${SLOWER_AT_MOST * 100} %, seconds`,
      pw,
      aria,
      `${fmt(pw.seconds)} vs ${fmt(aria.seconds)} s (bound ${fmt(bound)})`,
      pw.seconds <= bound,
    ),
  ];
}

/** The refusals' medians as "beyond the connection limit/beyond the rate limit". */
function byLimit(runs: ToolRun[]): string {
  const byConnections = median(runs.map((x) => x.log.refusedByConnections));
  return `${byConnections}/${median(runs.map((x) => x.log.refused - x.log.refusedByConnections))}`;
}

/** A row: the medians over the rounds, and each round as "seconds/refusals". */
function row(b: BenchLab, tool: string, runs: ToolRun[]): Row {
  const r = roundsOf(runs);
  const engine = runs.map((x) => x.engineS ?? Number.NaN);
  return {
    tool,
    seconds: fmt(r.seconds),
    mbit: r.failures.length === 0 ? fmt(mbit(b.size, r.seconds)) : '',
    engineS: engine.some(Number.isFinite) ? fmt(median(engine)) : '',
    ok: okCell(r),
    refused: refusedOf(runs),
    'by conn/rate': byLimit(runs),
    requests: median(runs.map((x) => x.log.requests)),
    'MB served': fmt(median(runs.map((x) => x.log.payloadBytes)) / 1e6, 1),
    'runs (s/refused)': runs.map((x) => `${fmt(x.wallS)}/${x.log.refused}`).join(' '),
  };
}

/**
 * A server that pushes back (issue 25), Pathwise against aria2 in the same lab (wlan0 40 +
 * wwan0 20 Mbit, 4 connections for both): nginx allows each client address (each path) one
 * request in flight and about one a second, refusing the rest at once with Retry-After: 1, as
 * 503 in one race and 429 in the other. Both tools open more connections than that throughout,
 * so both are refused and must back off and carry on. Each run's requests, refusals and bytes
 * come from nginx's access log; times are medians over the rounds, the tools taking turns.
 */
export async function pushback(b: BenchLab): Promise<ScenarioResult> {
  await b.setup(
    [
      { name: 'wlan0', downMbit: 40 },
      { name: 'wwan0', downMbit: 20 },
    ],
    b.ctx.sizeMiB,
  );
  const log = join(b.ctx.work, 'pushback-access.log');
  await startPushback(b.lab as NetLab, b.root, log);
  const runs = await takeTurns(b.ctx.rounds, {
    pathwise503: () => runPathwise(b, PUSHBACK_URL, log),
    aria2503: () => runAria2(b, PUSHBACK_URL, log),
    pathwise429: () => runPathwise(b, TOO_MANY_URL, log),
    aria2429: () => runAria2(b, TOO_MANY_URL, log),
  });
  const everyPathwise = roundsOf([...runs.pathwise503, ...runs.pathwise429]);
  const aria = `aria2 -x${CONNECTIONS} (${PATHWISE_CONNECTIONS_PER_PATH}/path)`;
  const { connections, perSecond, burst, retryAfterS } = PUSHBACK_LIMITS;
  const figures: ScenarioResult['figures'] = {};
  for (const [name, toolRuns] of Object.entries(runs)) {
    const r = roundsOf(toolRuns);
    figures[`${name}Seconds`] = r.seconds;
    figures[`${name}Refused`] = refusedOf(toolRuns);
    figures[`${name}RefusedByConnections`] = median(toolRuns.map((x) => x.log.refusedByConnections));
    figures[`${name}Requests`] = median(toolRuns.map((x) => x.log.requests));
    figures[`${name}PayloadBytes`] = median(toolRuns.map((x) => x.log.payloadBytes));
    figures[`${name}Finished`] = r.failures.length === 0;
    figures[`${name}Rounds`] = toolRuns.map((x) => `${fmt(x.wallS)}/${x.log.refused}`).join(' ');
  }
  return {
    scenario: 'pushback',
    lab: `wlan0 40 Mbit + wwan0 20 Mbit; nginx allows each client address ${connections} request in flight and ${perSecond}/s (burst ${burst}), refusing the rest with Retry-After: ${retryAfterS}, as 503 (:8083) or 429 (:8084); ${b.ctx.rounds} round(s), tools taking turns`,
    rows: [
      row(b, 'pathwise get, 503', runs.pathwise503),
      row(b, `${aria}, 503`, runs.aria2503),
      row(b, 'pathwise get, 429', runs.pathwise429),
      row(b, `${aria}, 429`, runs.aria2429),
    ],
    figures,
    targets: [
      {
        target: 'pathwise finishes every round, 503 and 429',
        value: everyPathwise.failures.length === 0 ? 'finished' : everyPathwise.failures.join('; '),
        verdict: judged(everyPathwise.failures.length === 0),
      },
      ...raceTargets('503', runs.pathwise503, runs.aria2503),
      ...raceTargets('429', runs.pathwise429, runs.aria2429),
    ],
  };
}
