import type { ContinuityEvent, TransferInfo } from '../../common/contract.ts';
import { formatBytes, formatEta, formatRate } from '../../common/format.ts';
import type { PathBinder } from '../engine/PathBinder.ts';
import type { Transfer } from '../engine/Transfer.ts';
import type { CliIo } from './io.ts';

/** Erases the progress bar's line, so a message or the next bar starts on a clean one. */
const CLEAR_LINE = '\r\x1b[K';

function isTty(stream: NodeJS.WritableStream): stream is NodeJS.WriteStream {
  return Boolean((stream as NodeJS.WriteStream).isTTY);
}

/** One line of progress bar: bar and percentage (size known), amount, rate, ETA, each path busy. */
function progressLine(info: TransferInfo, width: number): string {
  const size = info.size;
  const fraction = size ? Math.min(1, info.received / size) : 0;
  const barWidth = Math.max(10, Math.min(30, width - 70));
  const filled = Math.round(fraction * barWidth);
  const bar = size
    ? `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`
    : '';
  const amount = size ? `${formatBytes(info.received)}/${formatBytes(size)}` : formatBytes(info.received);
  const eta = size && info.rate > 0 ? ` ETA ${formatEta((size - info.received) / info.rate)}` : '';
  const paths = Object.entries(info.paths)
    .filter(([, p]) => p.bytes > 0 || p.state !== 'idle' || p.waiting)
    .map(
      ([name, p]) => `${name} ${p.state === 'active' ? formatRate(p.rate) : p.waiting ? 'waiting' : p.state}`,
    )
    .join(' · ');
  const waiting = waitingText(info);
  const sources = sourcesText(info);
  return `${bar} ${amount} ${formatRate(info.rate)}${eta}  ${paths}${sources}${waiting ? ` — ${waiting}` : ''}`.slice(
    0,
    width - 1,
  );
}

/** A download from mirrors: how many of its sources serve now (" · 2 of 3 sources serving"). */
function sourcesText(info: TransferInfo): string {
  const sources = info.sources ?? [];
  if (sources.length < 2) return '';
  const serving = sources.filter((s) => s.state === 'ready').length;
  return ` · ${serving} of ${sources.length} sources serving`;
}

/**
 * Sources whose state changed since `seen` (url → state), which it then holds: a mirror dropped
 * or resting is said once as it happens, with why, not only in the final summary.
 */
function changedSources(info: TransferInfo, seen: Map<string, string>): NonNullable<TransferInfo['sources']> {
  const changed = (info.sources ?? []).filter((s) => seen.get(s.url) !== s.state);
  for (const source of changed) seen.set(source.url, source.state);
  return changed;
}

/** Why the download waits, in words ("example.com asked to wait 30 s (429 Too Many Requests), 27 s left"). */
function waitingText(info: TransferInfo): string | null {
  const waiting = info.waiting;
  if (!waiting) return null;
  if (waiting.detail) return waiting.detail;
  return waiting.reason === 'cap'
    ? `waiting: ${waiting.paths.join(', ')} reached ${waiting.paths.length > 1 ? 'their caps' : 'its cap'}`
    : 'waiting for a usable path';
}

/** What the waiting is about, without its countdown: a new one is said once, not on every tick. */
function waitingKey(info: TransferInfo): string {
  return info.waiting ? `${info.waiting.reason}:${info.waiting.paths.join(',')}` : '';
}

/** What runs while a download does, until it is stopped. */
export interface ProgressOutput {
  /** Stops the progress ticks (the download has ended). */
  stop(): void;
  /** Leaves the terminal on a clean line for what comes after the bar. */
  clearLine(): void;
}

/**
 * What a download says while it runs: with --json, JSON lines on stdout (state, progress,
 * continuity, binding); otherwise messages on stderr, and a progress bar when stderr is a terminal.
 * With --quiet, nothing (report() says how it ended).
 */
export function showProgress(
  transfer: Transfer,
  binder: PathBinder,
  { json, quiet }: { json: boolean; quiet: boolean },
  io: CliIo,
): ProgressOutput {
  if (quiet) return { stop: () => undefined, clearLine: () => undefined };
  const out = io.stdout;
  const err = io.stderr;
  const tty = !json && isTty(err);
  const line = (value: unknown): void => {
    out.write(`${JSON.stringify(value)}\n`);
  };
  tellPathEvents(transfer, binder, { json, tty, err, line });
  let lastState = '';
  let lastWaiting = '';
  const seenSources = new Map<string, string>();
  const tellSources = (info: TransferInfo): void => {
    for (const source of changedSources(info, seenSources)) {
      if (json)
        line({ type: 'source', url: source.url, state: source.state, why: source.why, at: Date.now() });
      else if (source.state === 'dropped' || source.state === 'resting') {
        const what = source.state === 'dropped' ? 'dropped' : 'resting';
        err.write(
          `${tty ? CLEAR_LINE : ''}pathwise: source ${what}: ${source.url}${source.why ? ` — ${source.why}` : ''}\n`,
        );
      }
    }
  };
  transfer.on('change', () => {
    const info = transfer.info();
    tellSources(info);
    if (json && info.state !== lastState)
      line({ type: 'state', state: info.state, file: info.file, at: Date.now() });
    lastState = info.state;
    // Why it waits, said once as the waiting starts (and once as it ends, with --json).
    const key = waitingKey(info);
    if (key !== lastWaiting) {
      if (json) line({ type: 'waiting', waiting: info.waiting ?? null, at: Date.now() });
      else if (!tty && info.waiting?.detail) err.write(`pathwise: waiting: ${info.waiting.detail}\n`);
      lastWaiting = key;
    }
  });
  const progress = setInterval(
    () => {
      const info = transfer.info();
      tellSources(info);
      if (info.state !== 'running' && !info.waiting) return;
      if (json) {
        line({
          type: 'progress',
          at: Date.now(),
          received: info.received,
          size: info.size,
          rate: info.rate,
          paths: info.paths,
          ...(info.waiting ? { waiting: info.waiting } : {}),
        });
      } else if (tty) {
        err.write(`${CLEAR_LINE}${progressLine(info, (err as NodeJS.WriteStream).columns || 100)}`);
      }
    },
    json ? 500 : 200,
  );
  return {
    stop: () => clearInterval(progress),
    clearLine: () => {
      if (tty) err.write(CLEAR_LINE);
    },
  };
}

/** What the paths say while a download runs: a binding found unverified, and each continuity event. */
function tellPathEvents(
  transfer: Transfer,
  binder: PathBinder,
  {
    json,
    tty,
    err,
    line,
  }: { json: boolean; tty: boolean; err: NodeJS.WritableStream; line: (v: unknown) => void },
): void {
  binder.on('change', (verification) => {
    if (verification.verified === false && !json) {
      err.write(
        `${tty ? CLEAR_LINE : ''}pathwise: ${verification.path} is unverified: the engine received ${formatBytes(verification.payloadBytes)} over it but the interface counted ${formatBytes(verification.interfaceBytes)}; it is no longer used.\n`,
      );
    }
    if (json) line({ type: 'binding', ...verification, mode: binder.mode(verification.path) });
  });
  transfer.on('continuity', (event: ContinuityEvent) => {
    if (json) line({ type: 'continuity', ...event });
    else if (event.kind !== 'path-restored' || tty) {
      if (tty) err.write(CLEAR_LINE);
      err.write(
        `pathwise: ${event.kind}${event.from ? ` from ${event.from}` : ''}${event.to ? ` to ${event.to}` : ''}${event.detail ? ` — ${event.detail}` : ''}\n`,
      );
    }
  });
}
