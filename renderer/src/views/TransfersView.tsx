import { useState } from 'react';
import type { StartTransfer, TransferInfo } from '../../../common/contract.ts';
import { PathDot, SplitProgress } from '../components/Bars.tsx';
import { Icon } from '../components/Icon.tsx';
import { EmptyState, LoadableView } from '../components/States.tsx';
import { Section, ViewHeader } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import { errorMessage } from '../../../common/errors.ts';
import { formatBytes, formatDuration, formatPercent, formatRate, formatAgo } from '../../../common/format.ts';
import type { PathColors } from '../lib/pathColors.ts';
import { AddTransferForm } from './AddTransferForm.tsx';
import { isNetworkPath } from './OverviewView.tsx';

const ACTIVE = new Set<TransferInfo['state']>(['queued', 'probing', 'running', 'paused']);

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

export function fileLabel(transfer: TransferInfo): string {
  return transfer.file.split(/[\\/]/).pop() || transfer.file;
}

export function TransfersView() {
  const { api, transfers, paths, colors, info } = useDashboard();
  const list = valueOf(transfers.data) ?? [];
  const hasActive = list.some((t) => ACTIVE.has(t.state) && t.state !== 'paused');
  const hasPaused = list.some((t) => t.state === 'paused');
  const [error, setError] = useState<string | null>(null);
  const canReveal = valueOf(info.data)?.shell === 'electron';

  const run = (work: Promise<unknown>): void => {
    setError(null);
    work.catch((e: unknown) => setError(errorMessage(e)));
  };
  const update = (changed: TransferInfo): void => {
    const current = valueOf(transfers.data) ?? [];
    const others = current.filter((t) => t.id !== changed.id);
    transfers.set([changed, ...others]);
  };
  const start = async (request: StartTransfer): Promise<void> => {
    update(await api.invoke('transfers.start', request));
  };

  const sorted = [...list].sort(
    (a, b) => Number(ACTIVE.has(b.state)) - Number(ACTIVE.has(a.state)) || b.createdAt - a.createdAt,
  );

  return (
    <>
      <ViewHeader
        title="Transfers"
        subtitle="Downloads split across your paths; they survive a path failing and resume after a restart."
        actions={
          transfers.data.state === 'ready' && (
            <>
              <button
                type="button"
                className="btn"
                disabled={!hasActive}
                onClick={() => run(api.invoke('transfers.pauseAll').then((all) => transfers.set(all)))}
              >
                <Icon name="pause" size={16} /> Pause all
              </button>
              <button
                type="button"
                className="btn"
                disabled={!hasPaused}
                onClick={() => run(api.invoke('transfers.resumeAll').then((all) => transfers.set(all)))}
              >
                <Icon name="play" size={16} /> Resume all
              </button>
            </>
          )
        }
      />
      {error && (
        <p className="banner banner-bad" role="alert">
          {error}
        </p>
      )}
      <LoadableView
        data={transfers.data}
        what="transfers"
        onRetry={transfers.reload}
        unavailable={{
          icon: 'transfers',
          title: 'Transfers are not available',
          text: 'The transfer engine is not running in this Pathwise. Restart Pathwise; if it stays like this, run "pathwise serve" in a terminal to see why it did not start.',
        }}
      >
        {() => (
          <>
            <Section title="New download">
              <AddTransferForm
                paths={(valueOf(paths.data) ?? []).filter(isNetworkPath)}
                colors={colors}
                onStart={start}
              />
            </Section>
            <Section
              title="Downloads"
              description={list.length ? `${list.length} in this session and before` : undefined}
            >
              {sorted.length === 0 ? (
                <EmptyState icon="transfers" title="No downloads yet">
                  Paste a link above and choose Download. Pathwise fetches it over every allowed path at once.
                </EmptyState>
              ) : (
                <ul className="transfer-list" aria-label="Downloads">
                  {sorted.map((t) => (
                    <TransferRow
                      key={t.id}
                      transfer={t}
                      colors={colors}
                      canReveal={canReveal}
                      onPause={() => run(api.invoke('transfers.pause', t.id).then(update))}
                      onResume={() => run(api.invoke('transfers.resume', t.id).then(update))}
                      onCancel={() => run(api.invoke('transfers.cancel', t.id).then(update))}
                      onReveal={() => run(api.invoke('transfers.reveal', t.id))}
                    />
                  ))}
                </ul>
              )}
            </Section>
          </>
        )}
      </LoadableView>
    </>
  );
}

function TransferRow({
  transfer: t,
  colors,
  canReveal,
  onPause,
  onResume,
  onCancel,
  onReveal,
}: {
  transfer: TransferInfo;
  colors: PathColors;
  canReveal: boolean;
  onPause: () => void;
  onResume: () => void;
  onCancel: () => void;
  onReveal: () => void;
}) {
  const name = fileLabel(t);
  const state = STATE_TEXT[t.state];
  const parts = Object.entries(t.paths)
    .map(([pathName, p]) => ({ name: pathName, ...p }))
    // A standby path that carried nothing is noise; one that is down or capped still shows.
    .filter((p) => p.bytes > 0 || (p.state !== 'idle' && p.state !== 'excluded'))
    .sort((a, b) => b.bytes - a.bytes);
  const remaining = t.size !== null && t.rate > 0 ? ((t.size - t.received) / t.rate) * 1000 : null;
  const host = URL.canParse(t.url) ? new URL(t.url).host : t.url;
  const live = t.state === 'running' || t.state === 'probing' || t.state === 'queued';
  return (
    <li className={`transfer state-${t.state}`} aria-label={name}>
      <div className="transfer-head">
        <div className="transfer-title">
          <div className="transfer-name">{name}</div>
          <div className="transfer-sub muted">
            {host} · {t.mode} · started {formatAgo(t.createdAt)}
          </div>
        </div>
        <span className={`pill tone-${state.tone}`}>{state.text}</span>
        <div className="transfer-actions">
          {live && (
            <button
              type="button"
              className="btn btn-icon"
              onClick={onPause}
              aria-label={`Pause ${name}`}
              title="Pause"
            >
              <Icon name="pause" size={16} />
            </button>
          )}
          {t.state === 'paused' && (
            <button
              type="button"
              className="btn btn-icon"
              onClick={onResume}
              aria-label={`Resume ${name}`}
              title="Resume"
            >
              <Icon name="play" size={16} />
            </button>
          )}
          {(live || t.state === 'paused') && (
            <button
              type="button"
              className="btn btn-icon"
              onClick={onCancel}
              aria-label={`Cancel ${name}`}
              title="Cancel"
            >
              <Icon name="cancel" size={16} />
            </button>
          )}
          {canReveal && t.state === 'done' && (
            <button
              type="button"
              className="btn btn-icon"
              onClick={onReveal}
              aria-label={`Show ${name} in folder`}
              title="Show in folder"
            >
              <Icon name="folder" size={16} />
            </button>
          )}
        </div>
      </div>
      <SplitProgress
        label={`${name} progress`}
        size={t.size}
        received={t.received}
        parts={parts}
        colors={colors}
        indeterminate={t.size === null && live}
      />
      <div className="transfer-figures">
        <span>
          <strong>{formatBytes(t.received)}</strong>
          {t.size !== null &&
            ` of ${formatBytes(t.size)} · ${formatPercent(t.received / Math.max(t.size, 1))}`}
        </span>
        {live && t.rate > 0 && <span>{formatRate(t.rate)}</span>}
        {live && remaining !== null && <span>{formatDuration(remaining)} left</span>}
        {t.state === 'done' && t.finishedAt && <span>took {formatDuration(t.finishedAt - t.createdAt)}</span>}
        {t.rangeSupport === false && <span className="muted">server sends one stream (no ranges)</span>}
      </div>
      {parts.length > 0 && (
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
      )}
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
