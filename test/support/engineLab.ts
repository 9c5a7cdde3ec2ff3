/**
 * Helpers for in-process engine tests on loopback: each "path" is a loopback source address
 * (127.0.0.2, 127.0.0.3, …) that the range server or the link emulator tells apart.
 */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Preference } from '../../common/contract.ts';
import type { PathwiseError } from '../../common/errors.ts';
import type { EnginePath } from '../../main/engine/EnginePath.ts';
import { Transfer, type TransferOptions, type TransferOutcome } from '../../main/engine/Transfer.ts';
import type { ContinuityEvent } from '../../common/contract.ts';
import { LinkEmulator } from './linkEmulator.ts';
import { startRangeServer, type RangeServer } from './rangeServer.ts';

export const A = '127.0.0.2';
export const B = '127.0.0.3';
export const C = '127.0.0.4';

export function loopPath(
  name: string,
  address: string,
  preference: Preference = 'always',
  rank = 0,
): EnginePath {
  return { name, address, up: true, preference, rank, health: 'unknown', rttMs: null };
}

export function twoPaths(second: Preference = 'always'): EnginePath[] {
  return [loopPath('a', A, 'always', 0), loopPath('b', B, second, 1)];
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'pw-engine-'));
}

/** A transfer into a fresh folder, recording its continuity events. */
export function makeTransfer(options: Omit<TransferOptions, 'file'> & { file?: string }): {
  transfer: Transfer;
  file: string;
  events: ContinuityEvent[];
} {
  const file = options.file ?? join(tempDir(), 'out.bin');
  const transfer = new Transfer({ ...options, file, tuning: { retryBaseMs: 200, ...options.tuning } });
  const events: ContinuityEvent[] = [];
  transfer.on('continuity', (e) => events.push(e));
  return { transfer, file, events };
}

/** The error a download failed with; a test failure naming the outcome when it did not fail. */
export function failureOf(
  outcome: TransferOutcome,
  because = 'the download should have failed',
): PathwiseError {
  expect(outcome.status, `${because}: ${JSON.stringify(outcome)}`).toBe('failed');
  return (outcome as Extract<TransferOutcome, { status: 'failed' }>).error;
}

export async function fileEquals(file: string, expected: Buffer): Promise<boolean> {
  const data = await readFile(file);
  return data.equals(expected);
}

/** Resolves when `condition` holds, polling; rejects after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A range server behind the link emulator, each source address shaped to its rate (bytes/s). */
export async function startEmulatedServer(
  content: Buffer,
  rates: Record<string, number>,
): Promise<{ server: RangeServer; link: LinkEmulator; url: string }> {
  const server = await startRangeServer(content);
  const link = await LinkEmulator.start({ host: '127.0.0.1', port: server.port });
  for (const [source, rateBps] of Object.entries(rates)) link.set(source, { rateBps });
  return { server, link, url: link.url('/file.bin') };
}

export async function stopEmulatedServer(lab: { server: RangeServer; link: LinkEmulator }): Promise<void> {
  await lab.link.close();
  await lab.server.close();
}
