import { useEffect, useRef } from 'react';
import type { TransferInfo } from '../../../common/contract.ts';
import { SplitProgress } from '../components/Bars.tsx';
import { Icon, type IconName } from '../components/Icon.tsx';
import { ItemHeader } from '../components/ItemHeader.tsx';
import { formatBytes, formatDuration, formatPercent, formatRate, formatAgo } from '../../../common/format.ts';
import type { PathColors } from '../lib/pathColors.ts';
import { PathShares } from './TransferPaths.tsx';
import { TransferWait } from './TransferWait.tsx';
import './transfers.css';

const STATE_TEXT: Record<TransferInfo['state'], { text: string; tone: string }> = {
  queued: { text: 'Queued', tone: 'muted' },
  probing: { text: 'Starting', tone: 'info' },
  running: { text: 'Downloading', tone: 'info' },
  paused: { text: 'Paused', tone: 'muted' },
  done: { text: 'Done', tone: 'good' },
  failed: { text: 'Failed', tone: 'bad' },
  cancelled: { text: 'Cancelled', tone: 'muted' },
};

/** What the user calls a download: its file's name, without the folder. */
export function fileLabel(transfer: TransferInfo): string {
  return transfer.file.split(/[\\/]/).pop() || transfer.file;
}

/** The state a download's pill says: a running one that moves nothing says it waits. */
export function transferStatus(t: TransferInfo): { text: string; tone: string } {
  if (t.state === 'running' && t.waiting) return { text: 'Waiting', tone: 'warn' };
  return STATE_TEXT[t.state];
}

export interface TransferCommands {
  onPause: () => void;
  onResume: () => void;
  onCancel: () => void;
  onReveal: () => void;
  /** Moves the download to these paths (a waiting one's "Use Wi-Fi for this download"). */
  onUsePaths: (paths: string[]) => void;
}

/** How far a download got: what it has, or for a cancelled one (its part file deleted) where it stopped. */
function reached(t: TransferInfo): number {
  if (t.state !== 'cancelled') return t.received;
  return Math.max(
    t.received,
    Object.values(t.paths).reduce((sum, p) => sum + p.bytes, 0),
  );
}

/** One download: its state (and why it waits), progress split by path, figures, and what each path carried. */
export function TransferRow({
  transfer: t,
  colors,
  canReveal,
  target = false,
  ...commands
}: {
  transfer: TransferInfo;
  colors: PathColors;
  canReveal: boolean;
  /** The download an alert's "Open transfer" was for: marked and scrolled to. */
  target?: boolean;
} & TransferCommands) {
  const name = fileLabel(t);
  const parts = Object.entries(t.paths).map(([pathName, p]) => ({ name: pathName, ...p }));
  const host = URL.canParse(t.url) ? new URL(t.url).host : t.url;
  const live = isLive(t);
  const rowRef = useRef<HTMLLIElement>(null);
  // The download an alert opened: in view and focused, once (not again at every progress update).
  useEffect(() => {
    if (!target) return;
    rowRef.current?.scrollIntoView?.({ block: 'center' });
    rowRef.current?.focus();
  }, [target]);
  return (
    <li
      className={`transfer state-${t.state}${target ? ' is-target' : ''}`}
      aria-label={name}
      tabIndex={target ? -1 : undefined}
      ref={rowRef}
    >
      <ItemHeader
        title={name}
        meta={
          <div className="transfer-sub muted">
            {host} · {t.mode} · started {formatAgo(t.createdAt)}
          </div>
        }
        status={transferStatus(t)}
        actions={<TransferActions transfer={t} name={name} canReveal={canReveal} {...commands} />}
      />
      {t.state === 'running' && t.waiting && (
        <TransferWait
          transfer={t}
          wait={t.waiting}
          onPause={commands.onPause}
          onUsePaths={commands.onUsePaths}
        />
      )}
      <SplitProgress
        label={`${name} progress`}
        size={t.size}
        received={reached(t)}
        parts={parts}
        colors={colors}
        indeterminate={t.size === null && live && !t.waiting}
        muted={t.state === 'cancelled'}
      />
      <TransferFigures transfer={t} />
      {parts.length > 0 && <PathShares transfer={t} name={name} live={live} colors={colors} />}
      {t.error && (
        <p className="transfer-error" role="note">
          <Icon name="warning" size={14} /> {t.error.message}
        </p>
      )}
      {t.state === 'done' && t.sha256 && (
        <p className="transfer-hash muted">
          SHA-256 <span className="mono">{t.sha256}</span>
        </p>
      )}
    </li>
  );
}

/** Still moving or about to: such a download can be paused and shows its rate. */
function isLive(t: TransferInfo): boolean {
  return t.state === 'running' || t.state === 'probing' || t.state === 'queued';
}

/** The buttons a download's state allows; each names the file, since every row has the same ones. */
function TransferActions({
  transfer: t,
  name,
  canReveal,
  onPause,
  onResume,
  onCancel,
  onReveal,
}: { transfer: TransferInfo; name: string; canReveal: boolean } & TransferCommands) {
  const live = isLive(t);
  return (
    <>
      {live && <IconButton icon="pause" title="Pause" label={`Pause ${name}`} onClick={onPause} />}
      {t.state === 'paused' && (
        <IconButton icon="play" title="Resume" label={`Resume ${name}`} onClick={onResume} />
      )}
      {(live || t.state === 'paused') && (
        <IconButton icon="cancel" title="Cancel" label={`Cancel ${name}`} onClick={onCancel} />
      )}
      {canReveal && t.state === 'done' && (
        <IconButton
          icon="folder"
          title="Show in folder"
          label={`Show ${name} in folder`}
          onClick={onReveal}
        />
      )}
    </>
  );
}

function IconButton({
  icon,
  title,
  label,
  onClick,
}: {
  icon: IconName;
  title: string;
  label: string;
  onClick: () => void;
}) {
  return (
    <button type="button" className="btn btn-icon" onClick={onClick} aria-label={label} title={title}>
      <Icon name={icon} size={16} />
    </button>
  );
}

/**
 * Bytes so far, then what only matters now: rate and time left while it moves, time taken once
 * done; a cancelled download says where it stopped and that its partial file is gone.
 */
function TransferFigures({ transfer: t }: { transfer: TransferInfo }) {
  const moving = isLive(t) && !t.waiting;
  const remaining = t.size !== null && t.rate > 0 ? ((t.size - t.received) / t.rate) * 1000 : null;
  if (t.state === 'cancelled') {
    const at = reached(t);
    return (
      <div className="transfer-figures">
        <span>
          Stopped at <strong>{formatBytes(at)}</strong>
          {t.size !== null && ` of ${formatBytes(t.size)} · ${formatPercent(at / Math.max(t.size, 1))}`}
        </span>
        <span className="muted">the partial file was deleted</span>
      </div>
    );
  }
  return (
    <div className="transfer-figures">
      <span>
        <strong>{formatBytes(t.received)}</strong>
        {t.size !== null && ` of ${formatBytes(t.size)} · ${formatPercent(t.received / Math.max(t.size, 1))}`}
      </span>
      {moving && t.rate > 0 && <span>{formatRate(t.rate)}</span>}
      {moving && remaining !== null && <span>{formatDuration(remaining)} left</span>}
      {t.state === 'done' && t.finishedAt && <span>took {formatDuration(t.finishedAt - t.createdAt)}</span>}
      {t.rangeSupport === false && <span className="muted">server sends one stream (no ranges)</span>}
    </div>
  );
}
