import type { TransferInfo } from '../../../common/contract.ts';
import { PathDot, SplitProgress } from '../components/Bars.tsx';
import { Icon, type IconName } from '../components/Icon.tsx';
import { ItemHeader } from '../components/ItemHeader.tsx';
import { formatBytes, formatDuration, formatPercent, formatRate, formatAgo } from '../../../common/format.ts';
import type { PathColors } from '../lib/pathColors.ts';

const STATE_TEXT: Record<TransferInfo['state'], { text: string; tone: string }> = {
  queued: { text: 'Queued', tone: 'muted' },
  probing: { text: 'Starting', tone: 'info' },
  running: { text: 'Downloading', tone: 'info' },
  paused: { text: 'Paused', tone: 'muted' },
  done: { text: 'Done', tone: 'good' },
  failed: { text: 'Failed', tone: 'bad' },
  cancelled: { text: 'Cancelled', tone: 'muted' },
};

const PATH_STATE_TEXT: Record<string, string> = {
  idle: 'idle',
  active: 'active',
  stalled: 'stalled',
  down: 'down',
  capped: 'cap reached',
  excluded: 'not used',
  unverified: 'unverified',
};

/** What the user calls a download: its file's name, without the folder. */
export function fileLabel(transfer: TransferInfo): string {
  return transfer.file.split(/[\\/]/).pop() || transfer.file;
}

export interface TransferCommands {
  onPause: () => void;
  onResume: () => void;
  onCancel: () => void;
  onReveal: () => void;
}

type PathShare = TransferInfo['paths'][string] & { name: string };

/** One download: its state, progress split by path, figures, and what each path carried. */
export function TransferRow({
  transfer: t,
  colors,
  canReveal,
  ...commands
}: {
  transfer: TransferInfo;
  colors: PathColors;
  canReveal: boolean;
} & TransferCommands) {
  const name = fileLabel(t);
  const parts = Object.entries(t.paths)
    .map(([pathName, p]) => ({ name: pathName, ...p }))
    // A standby path that carried nothing is noise; one that is down or capped still shows.
    .filter((p) => p.bytes > 0 || (p.state !== 'idle' && p.state !== 'excluded'))
    .sort((a, b) => b.bytes - a.bytes);
  const host = URL.canParse(t.url) ? new URL(t.url).host : t.url;
  const live = isLive(t);
  return (
    <li className={`transfer state-${t.state}`} aria-label={name}>
      <ItemHeader
        title={name}
        meta={
          <div className="transfer-sub muted">
            {host} · {t.mode} · started {formatAgo(t.createdAt)}
          </div>
        }
        status={STATE_TEXT[t.state]}
        actions={<TransferActions transfer={t} name={name} canReveal={canReveal} {...commands} />}
      />
      <SplitProgress
        label={`${name} progress`}
        size={t.size}
        received={t.received}
        parts={parts}
        colors={colors}
        indeterminate={t.size === null && live}
      />
      <TransferFigures transfer={t} />
      {parts.length > 0 && <PathShares name={name} parts={parts} live={live} colors={colors} />}
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

/** Bytes so far, then what only matters now: rate and time left while live, time taken once done. */
function TransferFigures({ transfer: t }: { transfer: TransferInfo }) {
  const live = isLive(t);
  const remaining = t.size !== null && t.rate > 0 ? ((t.size - t.received) / t.rate) * 1000 : null;
  return (
    <div className="transfer-figures">
      <span>
        <strong>{formatBytes(t.received)}</strong>
        {t.size !== null && ` of ${formatBytes(t.size)} · ${formatPercent(t.received / Math.max(t.size, 1))}`}
      </span>
      {live && t.rate > 0 && <span>{formatRate(t.rate)}</span>}
      {live && remaining !== null && <span>{formatDuration(remaining)} left</span>}
      {t.state === 'done' && t.finishedAt && <span>took {formatDuration(t.finishedAt - t.createdAt)}</span>}
      {t.rangeSupport === false && <span className="muted">server sends one stream (no ranges)</span>}
    </div>
  );
}

/** What each path carried of this download, and why a path stopped carrying it. */
function PathShares({
  name,
  parts,
  live,
  colors,
}: {
  name: string;
  parts: PathShare[];
  live: boolean;
  colors: PathColors;
}) {
  return (
    <ul className="transfer-paths" aria-label={`${name} by path`}>
      {parts.map((p) => (
        <li key={p.name}>
          <PathDot color={colors(p.name)} />
          <span className="transfer-path-name">{p.name}</span>
          <span>{formatBytes(p.bytes)}</span>
          {live && p.state === 'active' && <span className="muted">{formatRate(p.rate)}</span>}
          {p.state !== 'active' && p.state !== 'idle' && (
            <span className={`path-state path-state-${p.state}`}>{PATH_STATE_TEXT[p.state]}</span>
          )}
        </li>
      ))}
    </ul>
  );
}
