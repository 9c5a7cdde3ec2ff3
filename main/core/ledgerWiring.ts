import { basename } from 'node:path';
import type { Battery } from '../../common/contract.ts';
import { DEFAULT_PERIOD_COUNT } from '../../common/usageHistory.ts';
import { bookSocketBytes, socketBytes } from '../engine/pathAgent.ts';
import type { TransferManager } from '../engine/TransferManager.ts';
import { Ledger } from '../ledger/Ledger.ts';
import type { HandedTransfers } from './HandedTransfers.ts';
import type { PathwiseService } from './PathwiseService.ts';
import type { SettingsStore } from './SettingsStore.ts';

/**
 * Opens the usage database. One that can't be opened turns usage tracking off with a warning
 * rather than stopping the app: downloads and paths work without it.
 */
export function openLedger(
  dataDir: string,
  settings: SettingsStore,
  battery: () => Battery | null,
  warnings: string[],
): Ledger | null {
  try {
    const opened = Ledger.open({
      dataDir,
      plans: () => settings.get().plans,
      thresholds: () => settings.get().capThresholds,
      battery,
    });
    if (opened.warning) warnings.push(opened.warning);
    return opened.ledger;
  } catch (error) {
    warnings.push(`Usage tracking is off: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

/** Ledgers that book this process's socket bytes (see recordTransfers). */
const booking = new WeakSet<Ledger>();

/** The app's downloads, or the ones command lines handed to it: their events and their list. */
type TransferSource = TransferManager | HandedTransfers;

/**
 * Books what the engine does: the bytes its sockets moved per path (requests, headers, TLS and
 * uploads with the payload: `bookSocketBytes`; the payload events themselves are for progress
 * and are not booked, so nothing counts twice), handovers and failovers, and each download that
 * ends. Wired after the engine's own listeners: a handover's continuity event
 * reaches the UI before the alert it raises.
 */
export function recordTransfers(ledger: Ledger, transfers: TransferSource): void {
  transfers.on('continuity', (event) => {
    if (event.kind !== 'handover' && event.kind !== 'failover') return;
    const file = transfers.list().find((t) => t.id === event.transferId)?.file;
    ledger.recordEvent({
      kind: event.kind,
      transferId: event.transferId ?? null,
      from: event.from ?? null,
      to: event.to ?? null,
      ...(file ? { file: basename(file) } : {}),
    });
  });
  // One booking per ledger, whichever sources report payload (the pools' sockets are the same).
  if (!booking.has(ledger)) {
    booking.add(ledger);
    ledger.once(
      'closing',
      bookSocketBytes((event) => ledger.recordPathBytes(event)),
    );
  }
  // Reported payload lets go of the budget held for it: its sockets' bytes are booked by then.
  transfers.on('bytes', () => socketBytes.flush());
  recordOutcomes(ledger, transfers);
}

/** Done and failed downloads become alerts (once each, also across restarts). */
function recordOutcomes(ledger: Ledger, transfers: TransferSource): void {
  const lastStates = new Map<string, string>();
  transfers.on('changed', () => {
    for (const t of transfers.list()) {
      const before = lastStates.get(t.id);
      lastStates.set(t.id, t.state);
      if (before === t.state || before === undefined) continue;
      if (t.state === 'done') {
        ledger.recordEvent({
          kind: 'transfer-done',
          transferId: t.id,
          file: basename(t.file),
          bytes: t.size ?? t.received,
        });
      } else if (t.state === 'failed') {
        ledger.recordEvent({
          kind: 'transfer-failed',
          transferId: t.id,
          file: basename(t.file),
          message: t.error?.message ?? 'it stopped',
        });
      }
    }
  });
}

/**
 * Usage, its history and corrections, and alerts as the contract asks for them; without a ledger
 * nothing registers them, so each answers E_UNAVAILABLE. No start or stop of its own: the ledger
 * starts and closes with the monitor (see serveSensing), after the engine has stopped.
 */
export function serveLedger(service: PathwiseService, ledger: Ledger): void {
  ledger.on('alert', (alert) => service.publish('alert', alert));
  ledger.on('usage', () => service.publish('usage', ledger.summary()));
  service.register({
    'usage.summary': async () => ledger.summary(),
    'usage.history': async (query) => ledger.history(query),
    'usage.periods': async ({ kind, count }) => ledger.periods(kind, count ?? DEFAULT_PERIOD_COUNT[kind]),
    // The same doors as `pathwise usage --correct/--reset`; the ledger pushes the new usage too.
    'usage.correct': async ({ path, bytes }) => ({
      change: ledger.correct(path, bytes),
      usage: ledger.summary(),
    }),
    'usage.reset': async ({ path }) => ({ change: ledger.reset(path), usage: ledger.summary() }),
    'alerts.list': async () => ledger.alerts(),
    'alerts.markRead': async (ids) => ledger.markRead(ids),
  });
}
