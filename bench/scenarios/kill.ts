/**
 * kill -9 ten seconds into a download, then the same command again: how much of what had already
 * arrived the second run fetches again. Pathwise keeps a journal beside its part file; aria2 runs
 * with -c (continue) and its control file.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PATHWISE_BIN } from '../../test/support/cli.ts';
import type { NetLab } from '../../test/support/netns.ts';
import type { BenchLab } from '../lab/BenchLab.ts';
import { sleep } from '../lab/sleep.ts';
import { holdsFile } from '../lab/testFile.ts';
import { bare, timed, type Timed } from '../lab/timed.ts';
import type { ScenarioResult } from '../report/ScenarioResult.ts';
import { fmt } from '../report/table.ts';
import { aria2Args } from '../tools/aria2.ts';
import { parsePathwise, pathwiseGetArgs, type PathwiseFinal } from '../tools/pathwise.ts';

/** Bytes received so far over both paths, from the client's interface counters. */
type RxCounter = () => Promise<number>;

/** The last progress line's byte count, and the counters read as it arrived. */
interface ProgressSnapshot {
  bytes: number;
  rx: Promise<number>;
}

async function killAfterTenSeconds(child: ChildProcess): Promise<void> {
  await sleep(10_000);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

/** Follows `pathwise get --json`'s progress lines; returns a reader of the latest one. */
function followProgress(child: ChildProcess, rx: RxCounter): () => ProgressSnapshot | null {
  let last: ProgressSnapshot | null = null;
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const j = JSON.parse(line) as { type?: string; paths?: Record<string, { bytes: number }> };
      if (j.type === 'progress' && j.paths) {
        last = { bytes: Object.values(j.paths).reduce((n, p) => n + p.bytes, 0), rx: rx() };
      }
    }
  });
  return () => last;
}

interface PathwiseKilled {
  receivedBeforeKill: number;
  /** Wire bytes per payload byte (headers, TCP/IP), from the counters and the last progress line. */
  wire: number;
  final: PathwiseFinal;
  second: Timed;
  refetched: number;
}

/** Pathwise: bytes it had received when killed (last progress line plus what the counters saw since). */
async function killPathwise(b: BenchLab, rx: RxCounter): Promise<PathwiseKilled> {
  const lab = b.lab as NetLab;
  b.clean();
  const args = pathwiseGetArgs(b.out, ['--paths', 'wlan0,wwan0']);
  const rx0 = await rx();
  const child = bare(lab, PATHWISE_BIN, args);
  const lastProgress = followProgress(child, rx);
  await killAfterTenSeconds(child);
  const rxKill = await rx();
  const snapshot = lastProgress();
  const rxAtLast = snapshot ? await snapshot.rx : rx0;
  const wire = snapshot ? (rxAtLast - rx0) / Math.max(1, snapshot.bytes) : 1.03;
  const receivedBeforeKill = (snapshot?.bytes ?? 0) + (rxKill - rxAtLast) / wire;
  const second = await timed(lab, PATHWISE_BIN, args);
  const final = parsePathwise(second.stdout).final;
  const refetched = receivedBeforeKill - (final.resumedBytes ?? 0);
  return { receivedBeforeKill, wire, final, second, refetched };
}

interface Aria2Killed {
  before: number;
  second: Timed;
  refetched: number;
  ok: boolean;
}

/** aria2 with -c, killed the same way, then continued; its bytes counted on the wire both times. */
async function killAria2(b: BenchLab, rx: RxCounter, wire: number): Promise<Aria2Killed> {
  const lab = b.lab as NetLab;
  b.clean();
  const rx0 = await rx();
  const aria = bare(lab, 'aria2c', aria2Args(b, ['wlan0', 'wwan0'], 2, ['-c']));
  await killAfterTenSeconds(aria);
  const before = ((await rx()) - rx0) / wire;
  const rx1 = await rx();
  const second = await timed(lab, 'aria2c', aria2Args(b, ['wlan0', 'wwan0'], 2, ['-c']));
  const after = ((await rx()) - rx1) / wire;
  const refetched = before + after - b.size;
  const ok = await holdsFile(join(b.out, 'aria2.bin'), b.sha);
  return { before, second, refetched, ok };
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
  const pw = await killPathwise(b, rx);
  const aria = await killAria2(b, rx, pw.wire);
  // The engine's largest chunk at these rates: 2 s of a connection's share of 40 Mbit.
  const connections = 2 * 2;
  const chunk = (40e6 / 8 / 2) * 2;
  return {
    scenario: 'kill',
    lab: 'wlan0 40 Mbit + wwan0 20 Mbit, kill -9 at 10 s, then the same command again',
    rows: [
      {
        tool: 'pathwise',
        receivedBeforeKillMB: fmt(pw.receivedBeforeKill / 1e6),
        resumedMB: fmt((pw.final.resumedBytes ?? 0) / 1e6),
        refetchedMB: fmt(pw.refetched / 1e6),
        ok: pw.final.sha256 === b.sha,
        secondRunS: fmt(pw.second.wallS),
      },
      {
        tool: 'aria2 -x2 -c',
        receivedBeforeKillMB: fmt(aria.before / 1e6),
        refetchedMB: fmt(aria.refetched / 1e6),
        ok: aria.ok,
        secondRunS: fmt(aria.second.wallS),
      },
    ],
    figures: { pathwiseRefetched: pw.refetched, aria2Refetched: aria.refetched, wireOverhead: pw.wire },
    targets: [
      {
        target: `re-fetched ≤ 2 chunks per connection (${connections} conns × 2 × ${fmt(chunk / 1e6)} MB)`,
        value: `${fmt(pw.refetched / 1e6)} MB`,
        met: pw.refetched <= connections * 2 * chunk && pw.final.sha256 === b.sha,
      },
    ],
  };
}
