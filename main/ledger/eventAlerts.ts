import { formatBytes } from '../../common/format.ts';
import type { AlertDraft } from './AlertStore.ts';
import { localDate } from './calendar.ts';

/** Something that happened that the user may want to hear about. */
export type LedgerEvent =
  | {
      kind: 'handover' | 'failover';
      /** Null when the engine did not say which download moved. */
      transferId: string | null;
      from: string | null;
      to: string | null;
      file?: string;
    }
  | { kind: 'transfer-done'; transferId: string; file: string; bytes: number; durationMs?: number }
  | { kind: 'transfer-failed'; transferId: string; file: string; message: string }
  | { kind: 'captive-portal'; path: string; detail?: string }
  | {
      /** Work moved off a degraded or dead path onto a metered one (issue 23). */
      kind: 'metered-fallback';
      from: string;
      to: string;
      why: 'degraded' | 'dead';
      detail?: string;
    }
  /** A sync run kept both versions of files changed on both sides (`conflicts`: the copies' names). */
  | { kind: 'sync-conflict'; job: string; runAt: number; conflicts: string[] }
  /** A sync run ended out of step: one alert per job, cause and day, not one per retry. */
  | { kind: 'sync-failed'; job: string; code: string; message: string };

/**
 * The alert an event becomes. Keys name the transfer (or the path and day for a portal), so an
 * event reported again — after a restart, or by both a download and the app — is told once; an
 * alert about one download carries its id, for the dashboard's "Open transfer".
 */
export function eventAlert(event: LedgerEvent, now: number): AlertDraft {
  switch (event.kind) {
    case 'handover':
    case 'failover':
      return {
        key: `${event.kind}:${event.transferId ?? 'unknown'}:${event.from}:${event.to}`,
        kind: 'handover',
        severity: 'info',
        // The path the alert is about: the one that failed, or the one a handover moved to.
        path: event.kind === 'failover' ? event.from : event.to,
        transferId: event.transferId,
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
        transferId: event.transferId,
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
        transferId: event.transferId,
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
    case 'metered-fallback':
      return {
        // Once per pair of paths and local hour: every download moving at once is one alert.
        key: `metered-fallback:${event.from}:${event.to}:${localDate(now)}T${new Date(now).getHours()}`,
        kind: 'metered-fallback',
        severity: 'warning',
        path: event.to,
        title: `Downloads moved to ${event.to} (metered)`,
        message: `${event.from} ${event.why === 'dead' ? 'stopped working' : 'is too weak'}${event.detail ? ` (${event.detail.replace(/\.$/, '')})` : ''}, so Pathwise moved work onto ${event.to}, which counts against your data plan.`,
        at: now,
      };
    case 'sync-conflict':
    case 'sync-failed':
      return syncAlert(event, now);
  }
}

function syncAlert(
  event: Extract<LedgerEvent, { kind: 'sync-conflict' | 'sync-failed' }>,
  now: number,
): AlertDraft {
  if (event.kind === 'sync-failed') {
    return {
      key: `sync-failed:${event.job}:${event.code}:${localDate(now)}`,
      kind: 'sync-failed',
      severity: 'warning',
      path: null,
      title: `Sync ${event.job} is not in step`,
      message: event.message,
      at: now,
    };
  }
  const n = event.conflicts.length;
  return {
    key: `sync-conflict:${event.job}:${event.runAt}`,
    kind: 'sync-conflict',
    severity: 'warning',
    path: null,
    title: `Sync ${event.job}: ${n === 1 ? 'a conflict' : `${n} conflicts`}`,
    message: `Changed on both sides, so both versions were kept: ${event.conflicts.slice(0, 3).join(', ')}${n > 3 ? ', …' : ''}.`,
    at: now,
  };
}
