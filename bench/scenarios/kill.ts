/**
 * kill -9 ten seconds into a download (sooner for a small file), then the same command again: how much of what had already
 * arrived the second run fetches again. Pathwise keeps a journal beside its part file; aria2 runs
 * with -c (continue) and its control file saved every second. Each round kills both once, the
 * tools taking turns; the target is judged on the medians.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { RangePlanner } from '../../main/engine/RangePlanner.ts';
import { RangeSet } from '../../main/engine/RangeSet.ts';
import { PATHWISE_BIN } from '../../test/support/cli.ts';
import type { NetLab } from '../../test/support/netns.ts';
import type { BenchLab } from '../lab/BenchLab.ts';
import { sleep } from '../lab/sleep.ts';
import { holdsFile } from '../lab/testFile.ts';
import { bare, runFailure, timed, type Timed } from '../lab/timed.ts';
import { median, takeTurns } from '../measure.ts';
import type { Row, ScenarioResult, Target } from '../report/ScenarioResult.ts';
import { fmt } from '../report/table.ts';
import { judged } from '../report/verdict.ts';
import { aria2Args, aria2Label } from '../tools/aria2.ts';
import {
  PATHWISE_CONNECTIONS_PER_PATH,
  pathwiseGetArgs,
  withOutcome,
  type PathwiseRun,
} from '../tools/pathwise.ts';

const PATHS = ['wlan0', 'wwan0'];

/** Bytes received so far over both paths, from the client's interface counters. */
type RxCounter = () => Promise<number>;

/** The last progress line's byte count, and the counters read as it arrived. */
interface ProgressSnapshot {
  bytes: number;
  rx: Promise<number>;
}

interface Progress {
  last: ProgressSnapshot | null;
  /** Per path, the highest rate (bytes/s) a progress line reported: what chunks were sized from. */
  topRate: Map<string, number>;
}

/**
 * When the kill lands: 10 s in, or at 40 % of the file's time at the lab's 60 Mbit when that is
 * sooner (a quick check's small file would be done before 10 s, and there would be nothing to kill).
 */
function killAtMs(size: number): number {
  return Math.min(10_000, 0.4 * ((size * 8) / 60e6) * 1000);
}

/** SIGKILL at `ms` (a tool that ended before then is not killed; the second run then has nothing to resume). */
async function killAfter(child: ChildProcess, ms: number): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await Promise.race([sleep(ms), exited]);
  child.kill('SIGKILL');
  await exited;
}

/** Follows `pathwise get --json`'s progress lines. */
function followProgress(child: ChildProcess, rx: RxCounter): Progress {
  const progress: Progress = { last: null, topRate: new Map() };
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      let j: { type?: string; paths?: Record<string, { bytes: number; rate?: number }> };
      try {
        j = JSON.parse(line) as typeof j;
      } catch {
        continue;
      }
      if (j.type !== 'progress' || !j.paths) continue;
      progress.last = { bytes: Object.values(j.paths).reduce((n, p) => n + p.bytes, 0), rx: rx() };
      for (const [name, p] of Object.entries(j.paths))
        progress.topRate.set(name, Math.max(progress.topRate.get(name) ?? 0, p.rate ?? 0));
    }
  });
  return progress;
}

/**
 * PRODUCT.md §2: a restart after kill -9 re-fetches at most a chunk per connection. Each
 * connection's chunk is what the engine's planner makes of its rate (RangePlanner.chunkFor: about
 * 2 s of it, within its floor and ceiling), the rate being its path's highest reported rate over
 * its connections: the bound is the sum over every connection Pathwise had open.
 */
function oneChunkPerConnection(topRate: Map<string, number>, size: number): number {
  const planner = new RangePlanner(size, new RangeSet());
  const perPath = PATHWISE_CONNECTIONS_PER_PATH;
  return PATHS.reduce((sum, path) => sum + perPath * planner.chunkFor((topRate.get(path) ?? 0) / perPath), 0);
}

interface PathwiseKilled {
  receivedBeforeKill: number;
  /** Wire bytes per payload byte (headers, TCP/IP), from the counters and the last progress line. */
  wire: number;
  second: PathwiseRun;
  refetched: number;
  bound: number;
}

/** Pathwise: bytes it had received when killed (last progress line plus what the counters saw since). */
async function killPathwise(b: BenchLab, rx: RxCounter): Promise<PathwiseKilled> {
  const lab = b.lab as NetLab;
  b.clean();
  const args = pathwiseGetArgs(b.out, ['--paths', PATHS.join(',')]);
  const rx0 = await rx();
  const child = bare(lab, PATHWISE_BIN, args);
  const progress = followProgress(child, rx);
  await killAfter(child, killAtMs(b.size));
  const rxKill = await rx();
  const snapshot = progress.last;
  const rxAtLast = snapshot ? await snapshot.rx : rx0;
  const wire = snapshot ? (rxAtLast - rx0) / Math.max(1, snapshot.bytes) : 1.03;
  const receivedBeforeKill = (snapshot?.bytes ?? 0) + (rxKill - rxAtLast) / wire;
  const second = withOutcome(await timed(lab, PATHWISE_BIN, args), b.sha);
  const refetched = receivedBeforeKill - (second.final.resumedBytes ?? 0);
  return {
    receivedBeforeKill,
    wire,
    second,
    refetched,
    bound: oneChunkPerConnection(progress.topRate, b.size),
  };
}

interface Aria2Killed {
  before: number;
  second: Timed;
  refetched: number;
  failure: string | null;
}

/**
 * aria2 with -c, killed the same way, then continued; its bytes counted on the wire both times,
 * at Pathwise's measured wire overhead. Its control file (the ranges it has) is saved every
 * second instead of every 60: otherwise a kill at 10 s finds none written since the start.
 */
async function killAria2(b: BenchLab, rx: RxCounter, wire: number): Promise<Aria2Killed> {
  const lab = b.lab as NetLab;
  b.clean();
  const args = aria2Args(b, PATHS, PATHS.length * PATHWISE_CONNECTIONS_PER_PATH, [
    '-c',
    '--auto-save-interval=1',
  ]);
  const rx0 = await rx();
  await killAfter(bare(lab, 'aria2c', args), killAtMs(b.size));
  const before = ((await rx()) - rx0) / wire;
  const rx1 = await rx();
  const second = await timed(lab, 'aria2c', args);
  const after = ((await rx()) - rx1) / wire;
  const failure = runFailure(second, await holdsFile(join(b.out, 'aria2.bin'), b.sha));
  return { before, second, refetched: before + after - b.size, failure };
}

function rows(pw: PathwiseKilled[], aria: Aria2Killed[]): Row[] {
  const mb = (bytes: number): string => fmt(bytes / 1e6);
  return [
    ...pw.map((r, i) => ({
      tool: `pathwise #${i + 1}`,
      receivedBeforeKillMB: mb(r.receivedBeforeKill),
      resumedMB: mb(r.second.final.resumedBytes ?? 0),
      refetchedMB: mb(r.refetched),
      boundMB: mb(r.bound),
      ok: r.second.failure ?? true,
      secondRunS: fmt(r.second.wallS),
    })),
    ...aria.map((r, i) => ({
      tool: `${aria2Label(PATHS.length * PATHWISE_CONNECTIONS_PER_PATH)} -c #${i + 1}`,
      receivedBeforeKillMB: mb(r.before),
      refetchedMB: mb(r.refetched),
      ok: r.failure ?? true,
      secondRunS: fmt(r.second.wallS),
    })),
  ];
}

function target(pw: PathwiseKilled[]): Target {
  const connections = PATHS.length * PATHWISE_CONNECTIONS_PER_PATH;
  const refetched = median(pw.map((r) => r.refetched));
  const bound = median(pw.map((r) => r.bound));
  const what = `re-fetched ≤ one chunk per connection (${connections} connections: ${fmt(bound / 1e6)} MB), median`;
  const failures = pw.flatMap((r, i) => (r.second.failure ? [`round ${i + 1}: ${r.second.failure}`] : []));
  if (failures.length > 0) return { target: what, value: `failed (${failures.join('; ')})`, verdict: 'MISS' };
  return { target: what, value: `${fmt(refetched / 1e6)} MB`, verdict: judged(refetched <= bound) };
}

export async function killResume(b: BenchLab): Promise<ScenarioResult> {
  await b.setup(
    [
      { name: 'wlan0', downMbit: 40 },
      { name: 'wwan0', downMbit: 20 },
    ],
    b.ctx.sizeMiB,
  );
  const lab = b.lab as NetLab;
  const rx = async (): Promise<number> => (await lab.counters('wlan0')).rx + (await lab.counters('wwan0')).rx;
  const pw: PathwiseKilled[] = [];
  const aria: Aria2Killed[] = [];
  // aria2's bytes are counted at the wire overhead Pathwise's last run measured (same paths, same server).
  let wire = 1.03;
  await takeTurns(b.ctx.rounds, {
    pathwise: async () => {
      const killed = await killPathwise(b, rx);
      wire = killed.wire;
      pw.push(killed);
    },
    aria2: async () => void aria.push(await killAria2(b, rx, wire)),
  });
  return {
    scenario: 'kill',
    lab: `wlan0 40 Mbit + wwan0 20 Mbit, kill -9 at ${fmt(killAtMs(b.size) / 1000, 1)} s, then the same command again; ${b.ctx.rounds} round(s)`,
    rows: rows(pw, aria),
    figures: {
      pathwiseRefetched: median(pw.map((r) => r.refetched)),
      pathwiseBound: median(pw.map((r) => r.bound)),
      aria2Refetched: median(aria.map((r) => r.refetched)),
      pathwiseRefetchedRuns: pw.map((r) => r.refetched).join(','),
      aria2RefetchedRuns: aria.map((r) => r.refetched).join(','),
      wireOverhead: wire,
    },
    targets: [target(pw)],
  };
}
