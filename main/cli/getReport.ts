import { existsSync } from 'node:fs';
import type { PathBinding, TransferInfo } from '../../common/contract.ts';
import { formatBytes, formatDuration } from '../../common/format.ts';
import type { PathBinder } from '../engine/PathBinder.ts';
import type { TransferOutcome } from '../engine/Transfer.ts';
import { EXIT_CLASSES, exitCodeFor } from './exitCodes.ts';
import type { CliIo } from './io.ts';

type Outcome<S extends TransferOutcome['status']> = Extract<TransferOutcome, { status: S }>;

/** Per path used: how its sockets were bound and whether the interface counters confirmed it. */
export function bindings(binder: PathBinder, info: TransferInfo): Record<string, PathBinding> {
  return Object.fromEntries(Object.keys(info.paths).map((name) => [name, binder.binding(name)]));
}

function bindingText(binding: PathBinding | undefined): string {
  if (!binding) return '';
  const verified =
    binding.verified === null ? 'not verified yet' : binding.verified ? 'verified' : 'UNVERIFIED';
  return `bound by ${binding.mode}, ${verified}`;
}

function jsonLine(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * How the download ended, said once it has: the summary (or, with --json, the final status line;
 * with --quiet and no --json, only an error) and the exit code: 0 done, 130 stopped by a signal,
 * else the failure's class (exitCodes.ts).
 */
export function report(
  outcome: TransferOutcome,
  info: TransferInfo,
  { json, quiet }: { json: boolean; quiet: boolean },
  interrupted: boolean,
  io: CliIo,
  binding: Record<string, PathBinding> = {},
): number {
  switch (outcome.status) {
    case 'done':
      if (!quiet || json) reportDone(outcome, info, json, io, binding);
      return EXIT_CLASSES.ok.code;
    case 'paused':
    case 'cancelled': {
      const message = `Stopped; ${formatBytes(info.received)} of ${info.file} are kept. Run the same command again to resume.`;
      if (json) jsonLine(io, { status: 'paused', file: info.file, received: info.received, size: info.size });
      if (!quiet) io.stderr.write(`pathwise: ${message}\n`);
      return interrupted ? EXIT_CLASSES.interrupted.code : EXIT_CLASSES.error.code;
    }
    case 'failed':
      return reportFailed(outcome, info, json, io, binding);
  }
}

function reportDone(
  outcome: Outcome<'done'>,
  info: TransferInfo,
  json: boolean,
  io: CliIo,
  binding: Record<string, PathBinding>,
): void {
  const fetched = Object.values(outcome.paths).reduce((n, p) => n + p.bytes, 0);
  if (json) {
    jsonLine(io, {
      status: 'done',
      file: outcome.file,
      bytes: info.size ?? fetched,
      sha256: outcome.sha256,
      durationMs: outcome.durationMs,
      paths: Object.fromEntries(
        Object.entries(outcome.paths).map(([name, p]) => [name, { ...p, ...binding[name] }]),
      ),
      fetchedBytes: fetched,
      resumedBytes: outcome.resumedBytes,
      // A download from mirrors: each source's bytes, and why one was left behind.
      ...(outcome.sources ? { sources: outcome.sources } : {}),
    });
  } else {
    const split = Object.entries(outcome.paths)
      .map(
        ([name, p]) =>
          `${name} ${formatBytes(p.bytes)}${binding[name] ? ` [${bindingText(binding[name])}]` : ''}`,
      )
      .join(', ');
    io.stdout.write(
      `${outcome.file}: ${formatBytes(info.size ?? fetched)} in ${formatDuration(outcome.durationMs)} (${split})${outcome.resumedBytes ? `, ${formatBytes(outcome.resumedBytes)} resumed` : ''}\n${sourcesText(outcome.sources)}sha256 ${outcome.sha256}\n`,
    );
  }
}

/** A download from mirrors, one line per source: its bytes, and why one was left behind. */
function sourcesText(sources: Outcome<'done'>['sources']): string {
  if (!sources) return '';
  return sources
    .map(
      (s) =>
        `  ${s.url}: ${formatBytes(s.bytes)}${s.state === 'dropped' ? ` (dropped: ${s.why ?? ''})` : ''}\n`,
    )
    .join('');
}

function reportFailed(
  outcome: Outcome<'failed'>,
  info: TransferInfo,
  json: boolean,
  io: CliIo,
  binding: Record<string, PathBinding>,
): number {
  const { code, message } = outcome.error;
  if (json) {
    jsonLine(io, {
      status: 'failed',
      error: { code, message },
      file: info.file,
      received: info.received,
      size: info.size,
      paths: Object.fromEntries(
        Object.entries(info.paths).map(([n, p]) => [n, { bytes: p.bytes, ...binding[n] }]),
      ),
      ...(info.sources ? { sources: info.sources } : {}),
    });
  }
  const kept =
    info.received > 0 && existsSync(`${info.file}.part`)
      ? ` ${formatBytes(info.received)} are kept in ${info.file}.part for resuming.`
      : '';
  io.stderr.write(`pathwise: ${message}${kept} [${code}]\n`);
  return exitCodeFor(code);
}
