import { existsSync } from 'node:fs';
import type { PathBinding, TransferInfo } from '../../common/contract.ts';
import { formatBytes } from '../../common/format.ts';
import type { PathBinder } from '../engine/PathBinder.ts';
import type { TransferOutcome } from '../engine/Transfer.ts';
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
 * How the download ended, said once it has: the summary (or, with --json, the final status line)
 * and the exit code: 0 done, 130 stopped by a signal, 1 otherwise.
 */
export function report(
  outcome: TransferOutcome,
  info: TransferInfo,
  json: boolean,
  interrupted: boolean,
  io: CliIo,
  binding: Record<string, PathBinding> = {},
): number {
  switch (outcome.status) {
    case 'done':
      return reportDone(outcome, info, json, io, binding);
    case 'paused':
    case 'cancelled': {
      const message = `Stopped; ${formatBytes(info.received)} of ${info.file} are kept. Run the same command again to resume.`;
      if (json) jsonLine(io, { status: 'paused', file: info.file, received: info.received, size: info.size });
      io.stderr.write(`pathwise: ${message}\n`);
      return interrupted ? 130 : 1;
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
): number {
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
    });
  } else {
    const split = Object.entries(outcome.paths)
      .map(
        ([name, p]) =>
          `${name} ${formatBytes(p.bytes)}${binding[name] ? ` [${bindingText(binding[name])}]` : ''}`,
      )
      .join(', ');
    io.stdout.write(
      `${outcome.file}: ${formatBytes(info.size ?? fetched)} in ${(outcome.durationMs / 1000).toFixed(1)} s (${split})${outcome.resumedBytes ? `, ${formatBytes(outcome.resumedBytes)} resumed` : ''}\nsha256 ${outcome.sha256}\n`,
    );
  }
  return 0;
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
    });
  }
  const kept =
    info.received > 0 && existsSync(`${info.file}.part`)
      ? ` ${formatBytes(info.received)} are kept in ${info.file}.part for resuming.`
      : '';
  io.stderr.write(`pathwise: ${message}${kept} [${code}]\n`);
  return 1;
}
