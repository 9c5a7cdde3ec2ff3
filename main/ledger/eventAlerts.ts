import { formatBytes } from '../../common/format.ts';
import type { AlertDraft } from './AlertStore.ts';
import { localDate } from './calendar.ts';

/** Something that happened that the user may want to hear about. */
export type LedgerEvent =
  | {
      kind: 'handover' | 'failover';
      transferId: string;
      from: string | null;
      to: string | null;
      file?: string;
    }
  | { kind: 'transfer-done'; transferId: string; file: string; bytes: number; durationMs?: number }
  | { kind: 'transfer-failed'; transferId: string; file: string; message: string }
  | { kind: 'captive-portal'; path: string; detail?: string };

/**
 * The alert an event becomes. Keys name the transfer (or the path and day for a portal), so an
 * event reported again — after a restart, or by both a download and the app — is told once.
 */
export function eventAlert(event: LedgerEvent, now: number): AlertDraft {
  switch (event.kind) {
    case 'handover':
    case 'failover':
      return {
        key: `${event.kind}:${event.transferId}:${event.from}:${event.to}`,
        kind: 'handover',
        severity: 'info',
        path: event.to,
        title: event.kind === 'handover' ? `Handed over to ${event.to}` : `${event.from} failed`,
        message:
          event.kind === 'handover'
            ? `${event.file ?? 'A download'} moved from ${event.from} to ${event.to} without losing data.`
            : `${event.file ?? 'A download'} lost ${event.from}; ${event.to ?? 'the other paths'} carried on.`,
        at: now,
      };
    case 'transfer-done':
      return {
        key: `transfer-done:${event.transferId}`,
        kind: 'transfer-done',
        severity: 'info',
        path: null,
        title: 'Download finished',
        message: `${event.file} (${formatBytes(event.bytes)}) is complete and verified.`,
        at: now,
      };
    case 'transfer-failed':
      return {
        key: `transfer-failed:${event.transferId}`,
        kind: 'transfer-failed',
        severity: 'warning',
        path: null,
        title: 'Download failed',
        message: `${event.file}: ${event.message}`,
        at: now,
      };
    case 'captive-portal':
      return {
        key: `captive:${event.path}:${localDate(now)}`,
        kind: 'captive-portal',
        severity: 'warning',
        path: event.path,
        title: `${event.path} needs a sign-in`,
        message: `${event.detail ?? 'A captive portal answered instead of the internet.'} Pathwise won't use ${event.path} until it reaches the internet.`,
        at: now,
      };
  }
}
