import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { NetLab } from '../../test/support/netns.ts';
import type { BenchLab } from '../lab/BenchLab.ts';
import { FILE_URL, MIRROR_URL, startMirrors, WRONG_MIRROR_URL } from '../lab/nginx.ts';
import { holdsFile } from '../lab/testFile.ts';
import { runFailure, timed } from '../lab/timed.ts';
import { mbit, median, MiB, takeTurns } from '../measure.ts';
import type { Row, ScenarioResult, Target } from '../report/ScenarioResult.ts';
import { fmt } from '../report/table.ts';
import { fasterThanAria2, judged, ofRounds, okCell, type Rounds } from '../report/verdict.ts';
import { ARIA2_RESILIENCE } from '../tools/aria2Options.ts';
import { PATHWISE_BIN } from '../../test/support/cli.ts';
import {
  PATHWISE_CONNECTIONS_PER_PATH,
  runPathwise,
  withOutcome,
  type PathwiseRun,
} from '../tools/pathwise.ts';

const PATHS = ['wlan0', 'wwan0'];
/** The Metalink's pieces: 1 MiB, as mirror lists commonly use. */
const PIECE = MiB;
/** What both tools save a Metalink's file as (aria2 takes the name from the Metalink). */
const META_NAME = 'mirrored.bin';

interface AriaRun {
  wallS: number;
  failure: string | null;
}

/**
 * The lying mirror's copy: the measured file with one byte changed in every piece, the same size
 * under the same name, so only the hashes can tell.
 */
async function wrongCopy(b: BenchLab): Promise<string> {
  const root = join(b.ctx.work, 'www-wrong');
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
  const file = join(root, 'file.bin');
  copyFileSync(join(b.root, 'file.bin'), file);
  const handle = await open(file, 'r+');
  for (let at = 12_345; at < b.size; at += PIECE) {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, at);
    byte[0] = (byte[0] as number) ^ 0xff;
    await handle.write(byte, 0, 1, at);
  }
  await handle.close();
  chmodSync(file, 0o644);
  return root;
}

/** A Metalink 4 file naming the primary, the lying mirror and the honest one, with the file's hashes. */
function writeMetalink(b: BenchLab): string {
  const data = readFileSync(join(b.root, 'file.bin'));
  const pieces: string[] = [];
  for (let at = 0; at < data.length; at += PIECE) {
    pieces.push(
      `<hash>${createHash('sha256')
        .update(data.subarray(at, at + PIECE))
        .digest('hex')}</hash>`,
    );
  }
  const path = join(b.ctx.work, 'mirrored.meta4');
  writeFileSync(
    path,
    `<?xml version="1.0" encoding="UTF-8"?>
<metalink xmlns="urn:ietf:params:xml:ns:metalink">
  <file name="${META_NAME}">
    <size>${b.size}</size>
    <hash type="sha-256">${b.sha}</hash>
    <pieces length="${PIECE}" type="sha-256">${pieces.join('')}</pieces>
    <url priority="1">${FILE_URL}</url>
    <url priority="2">${WRONG_MIRROR_URL}</url>
    <url priority="3">${MIRROR_URL}</url>
  </file>
</metalink>
`,
  );
  return path;
}

/**
 * aria2c over both paths with as many connections as Pathwise (2 per path, 4 in all), at most 2
 * to each server, spread over the URIs given (several URIs of one file are its mirrors; a .meta4
 * through -M), with the resilience options of every other race.
 */
async function runAria2Mirrors(b: BenchLab, inputs: string[], saved: string): Promise<AriaRun> {
  b.clean();
  const connections = PATHS.length * PATHWISE_CONNECTIONS_PER_PATH;
  const args = [
    `--split=${connections}`,
    `--max-connection-per-server=${PATHWISE_CONNECTIONS_PER_PATH}`,
    '--min-split-size=1M',
    ...ARIA2_RESILIENCE,
    `--multiple-interface=${PATHS.map((p) => b.addr(p)).join(',')}`,
    '-d',
    b.out,
    '--file-allocation=none',
    '--allow-overwrite=true',
    '--auto-file-renaming=false',
    '--console-log-level=warn',
    '--summary-interval=0',
    ...inputs,
  ];
  const t = await timed(b.lab as NetLab, 'aria2c', args);
  return { wallS: t.wallS, failure: runFailure(t, await holdsFile(join(b.out, saved), b.sha)) };
}

async function runPathwiseMetalink(b: BenchLab, meta4: string): Promise<PathwiseRun> {
  b.clean();
  const args = ['get', meta4, '-o', join(b.out, 'pathwise.bin'), '--json', '--paths', PATHS.join(',')];
  return withOutcome(await timed(b.lab as NetLab, PATHWISE_BIN, args), b.sha);
}

/** The median of Pathwise's own download times (its `durationMs`), in seconds. */
const engineSeconds = (runs: PathwiseRun[]): number =>
  median(runs.map((r) => (r.final.durationMs ?? Number.NaN) / 1000));

const roundsOf = (runs: AriaRun[]): Rounds =>
  ofRounds(runs.map((r) => ({ seconds: r.wallS, failure: r.failure })));

/** Each source's bytes in Pathwise's runs, as "bytes/bytes/…" per source (MB), its state when not ready. */
function sourcesCell(runs: PathwiseRun[]): string {
  return runs
    .map((run) =>
      (run.final.sources ?? [])
        .map((s) => `${fmt(s.bytes / 1e6, 1)}${s.state === 'ready' ? '' : ` ${s.state}`}`)
        .join(' + '),
    )
    .join('; ');
}

/**
 * One file from several servers (issue 25), Pathwise against aria2 in the same lab (wlan0 40 +
 * wwan0 20 Mbit, 2 connections per path for both): two honest mirrors given as two URLs, then a
 * Metalink of three (the primary, one that serves wrong bytes under the right headers, an honest
 * one) with the whole-file and 1 MiB piece SHA-256s, which both tools check. Times are medians
 * over the rounds, the tools taking turns; every copy must have the file's hash.
 */
export async function mirrors(b: BenchLab): Promise<ScenarioResult> {
  await b.setup(
    [
      { name: 'wlan0', downMbit: 40 },
      { name: 'wwan0', downMbit: 20 },
    ],
    b.ctx.sizeMiB,
  );
  await startMirrors(b.lab as NetLab, b.root, await wrongCopy(b));
  const meta4 = writeMetalink(b);
  const runs = await takeTurns(b.ctx.rounds, {
    pathwiseUrls: () => runPathwise(b, [MIRROR_URL, '--paths', PATHS.join(',')]),
    aria2Urls: () => runAria2Mirrors(b, ['-o', 'aria2.bin', FILE_URL, MIRROR_URL], 'aria2.bin'),
    pathwiseMeta4: () => runPathwiseMetalink(b, meta4),
    aria2Meta4: () => runAria2Mirrors(b, ['-M', meta4], META_NAME),
  });
  const pwUrls = roundsOf(runs.pathwiseUrls);
  const pwMeta = roundsOf(runs.pathwiseMeta4);
  const ariaUrls = roundsOf(runs.aria2Urls);
  const ariaMeta = roundsOf(runs.aria2Meta4);
  const row = (tool: string, r: Rounds, pathwise?: PathwiseRun[]): Row => ({
    tool,
    seconds: fmt(r.seconds),
    mbit: fmt(mbit(b.size, r.seconds)),
    // Pathwise's own clock, from its first request to the file named (start-up left out).
    engineS: pathwise ? fmt(engineSeconds(pathwise)) : '',
    ok: okCell(r),
    runs: r.runs.map((s) => fmt(s)).join(' '),
    'MB per source': pathwise ? sourcesCell(pathwise) : '',
  });
  const wrongDropped = runs.pathwiseMeta4.every(
    (r) => r.final.sources?.find((s) => s.url === WRONG_MIRROR_URL)?.state === 'dropped',
  );
  const targets: Target[] = [
    fasterThanAria2('two mirrors (2 URLs): pathwise ≤ aria2 -s4 -x2, seconds', pwUrls, ariaUrls),
    fasterThanAria2('Metalink, one mirror lying: pathwise ≤ aria2 -M, seconds', pwMeta, ariaMeta),
    {
      target: 'the lying mirror dropped by Pathwise in every round',
      value: runs.pathwiseMeta4
        .map((r) => r.final.sources?.find((s) => s.url === WRONG_MIRROR_URL)?.why ?? 'n/a')
        .join('; '),
      verdict: judged(wrongDropped && pwMeta.failures.length === 0),
    },
  ];
  return {
    scenario: 'mirrors',
    lab: `wlan0 40 Mbit + wwan0 20 Mbit; nginx :8080 and a mirror :8081 of the same file, :8082 a same-size file with a wrong byte in every MiB; ${b.ctx.rounds} round(s), tools taking turns`,
    rows: [
      row('pathwise get URL MIRROR', pwUrls, runs.pathwiseUrls),
      row('aria2 -s4 -x2 URL MIRROR', ariaUrls),
      row('pathwise get mirrored.meta4 (primary, liar, mirror)', pwMeta, runs.pathwiseMeta4),
      row('aria2 -s4 -x2 -M mirrored.meta4', ariaMeta),
    ],
    figures: {
      pathwiseUrlsSeconds: pwUrls.seconds,
      aria2UrlsSeconds: ariaUrls.seconds,
      pathwiseMeta4Seconds: pwMeta.seconds,
      pathwiseUrlsEngineSeconds: engineSeconds(runs.pathwiseUrls),
      pathwiseMeta4EngineSeconds: engineSeconds(runs.pathwiseMeta4),
      aria2Meta4Seconds: ariaMeta.seconds,
      pathwiseUrlsSources: sourcesCell(runs.pathwiseUrls),
      pathwiseMeta4Sources: sourcesCell(runs.pathwiseMeta4),
      wrongMirrorDropped: wrongDropped,
    },
    targets,
  };
}
