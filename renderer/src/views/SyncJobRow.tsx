import { useRef, useState } from 'react';
import type { SyncJobEdit, SyncJobInfo, SyncRunInfo } from '../../../common/contract.ts';
import { formatAgo, formatBytes, formatDateTime, formatRate } from '../../../common/format.ts';
import { SYNC_CAUSE_TEXT } from '../../../common/syncContract.ts';
import { PathDot } from '../components/Bars.tsx';
import { Icon } from '../components/Icon.tsx';
import { ItemHeader } from '../components/ItemHeader.tsx';
import type { PathColors } from '../lib/pathColors.ts';
import { SyncJobEditor } from './SyncJobEditor.tsx';
import { SyncJobRemove } from './SyncJobRemove.tsx';

const STATE_TEXT: Record<SyncJobInfo['state'], { text: string; tone: string }> = {
  'never-run': { text: 'Never run', tone: 'muted' },
  'in-step': { text: 'In step', tone: 'good' },
  failed: { text: 'Not in step', tone: 'bad' },
  running: { text: 'Syncing', tone: 'info' },
  waiting: { text: 'Waiting', tone: 'warn' },
  paused: { text: 'Paused', tone: 'muted' },
};

export interface SyncCommands {
  onRun: (force: boolean) => void;
  onPause: () => void;
  onResume: () => void;
  /** Rejects with the core's refusal, which the form shows. */
  onEdit: (change: SyncJobEdit) => Promise<void>;
  onRemove: () => Promise<void>;
}

type Mode = 'view' | 'edit' | 'remove';

function policyText(job: SyncJobInfo): string {
  const { kind, meteredBytes } = job.policy;
  const policy =
    kind === 'unmetered'
      ? 'unmetered paths only'
      : kind === 'any'
        ? 'any path'
        : meteredBytes === null
          ? 'cellular allowed'
          : `cellular up to ${formatBytes(meteredBytes)} a cycle`;
  const extras = [
    job.rateBps ? `at most ${formatRate(job.rateBps)}` : null,
    job.batteryMinPercent ? `not on battery below ${job.batteryMinPercent} %` : null,
  ].filter(Boolean);
  return [policy, ...extras].join(', ');
}

function scheduleText(job: SyncJobInfo): string {
  const every = job.everyMinutes === null ? 'by hand' : `every ${job.everyMinutes} min`;
  return job.onPathChange ? `${every} and on a path change` : every;
}

/** One sync job: state, both folders, its schedule and policy, last and next run, and its buttons. */
export function SyncJobRow({
  job,
  colors,
  ...commands
}: { job: SyncJobInfo; colors: PathColors } & SyncCommands) {
  const [mode, setMode] = useState<Mode>('view');
  const editButton = useRef<HTMLButtonElement>(null);
  const removeButton = useRef<HTMLButtonElement>(null);
  // Back to the button that opened the form or the question.
  const close = (): void => {
    (mode === 'remove' ? removeButton : editButton).current?.focus();
    setMode('view');
  };
  const toggle = (next: Mode) => () => setMode(mode === next ? 'view' : next);
  const save = async (change: SyncJobEdit): Promise<void> => {
    await commands.onEdit(change);
    close();
  };
  return (
    <li className={`transfer sync-job state-${job.state}`} aria-label={job.name}>
      <ItemHeader
        icon={<Icon name="restore" size={18} />}
        title={job.name}
        meta={
          <div className="transfer-sub muted">
            {job.local} ⇄ {job.remote}
          </div>
        }
        status={STATE_TEXT[job.state]}
        actions={
          <>
            <SyncActions job={job} {...commands} />
            <button
              ref={editButton}
              type="button"
              className="btn btn-sm"
              aria-expanded={mode === 'edit'}
              onClick={toggle('edit')}
              aria-label={`Edit ${job.name}`}
            >
              Edit
            </button>
            <button
              ref={removeButton}
              type="button"
              className="btn btn-sm btn-ghost"
              aria-expanded={mode === 'remove'}
              onClick={toggle('remove')}
              aria-label={`Remove ${job.name}`}
            >
              Remove
            </button>
          </>
        }
      />
      {mode === 'edit' && <SyncJobEditor job={job} onSave={save} onCancel={close} />}
      {mode === 'remove' && <SyncJobRemove job={job} onRemove={commands.onRemove} onKeep={close} />}
      <div className="transfer-figures">
        <span>{scheduleText(job)}</span>
        <span>{policyText(job)}</span>
        <span>
          Last run:{' '}
          {job.lastRun ? (
            <time dateTime={new Date(job.lastRun.finishedAt).toISOString()}>
              {formatAgo(job.lastRun.finishedAt)}
            </time>
          ) : (
            'never'
          )}
        </span>
        <span>Next run: {job.nextRunAt === null ? '—' : formatDateTime(job.nextRunAt)}</span>
      </div>
      {job.waitingFor && <p className="sync-note">Waiting: {job.waitingFor}.</p>}
      {job.password.note && <p className="sync-note">{job.password.note}</p>}
      {job.progress && <SyncProgressLine job={job} colors={colors} />}
      {job.lastRun && <LastRun run={job.lastRun} />}
      <CycleBytes job={job} colors={colors} />
    </li>
  );
}

function SyncActions({
  job,
  onRun,
  onPause,
  onResume,
}: { job: SyncJobInfo } & Pick<SyncCommands, 'onRun' | 'onPause' | 'onResume'>) {
  const running = job.state === 'running';
  const asksToDelete = job.lastRun?.error?.cause === 'deletes';
  return (
    <>
      {asksToDelete && !running && !job.paused && (
        <button type="button" className="btn btn-sm" onClick={() => onRun(true)}>
          Run and delete
        </button>
      )}
      <button
        type="button"
        className="btn btn-sm"
        disabled={running || job.paused}
        onClick={() => onRun(false)}
        aria-label={`Run ${job.name} now`}
      >
        <Icon name="retry" size={16} /> Run
      </button>
      {job.paused ? (
        <button type="button" className="btn btn-sm" onClick={onResume} aria-label={`Resume ${job.name}`}>
          <Icon name="play" size={16} /> Resume
        </button>
      ) : (
        <button type="button" className="btn btn-sm" onClick={onPause} aria-label={`Pause ${job.name}`}>
          <Icon name="pause" size={16} /> Pause
        </button>
      )}
    </>
  );
}

function SyncProgressLine({ job, colors }: { job: SyncJobInfo; colors: PathColors }) {
  const p = job.progress;
  if (!p) return null;
  const files =
    p.phase === 'listing' && p.filesTotal === 0
      ? 'Comparing both sides…'
      : `${p.filesDone} of ${p.filesTotal} files`;
  return (
    <div className="sync-progress" role="status" aria-label={`${job.name} progress`}>
      <span>{files}</span>
      <ul className="transfer-paths" aria-label="This run by path">
        {Object.entries(p.bytes).map(([path, b]) => (
          <li key={path}>
            <PathDot color={colors(path)} />
            <span className="transfer-path-name">{path}</span>↓ {formatBytes(b.down)} ↑ {formatBytes(b.up)}
          </li>
        ))}
      </ul>
    </div>
  );
}

function LastRun({ run }: { run: SyncRunInfo }) {
  return (
    <div className="sync-last">
      <span className="muted">
        {run.uploaded} uploaded, {run.downloaded} downloaded, {run.deleted} deleted
        {run.ok ? '; both sides agreed.' : '.'}
      </span>
      {run.error && (
        <p className="transfer-error" role="note">
          <strong>
            {run.error.cause === 'other' ? 'Failed' : `Failed: ${SYNC_CAUSE_TEXT[run.error.cause]}`}
          </strong>{' '}
          — {run.error.message}
        </p>
      )}
      {run.conflicts.length > 0 && (
        <div className="sync-conflicts">
          <span>
            {run.conflicts.length === 1 ? 'A conflict' : `${run.conflicts.length} conflicts`}: both versions
            were kept.
          </span>
          <ul aria-label="Conflict copies">
            {run.conflicts.map((name) => (
              <li key={name}>{name}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function CycleBytes({ job, colors }: { job: SyncJobInfo; colors: PathColors }) {
  const rows = Object.entries(job.cycleBytes);
  if (rows.length === 0) return null;
  return (
    <ul className="transfer-paths" aria-label={`${job.name} this cycle by path`}>
      {rows.map(([path, b]) => (
        <li key={path}>
          <PathDot color={colors(path)} />
          <span className="transfer-path-name">{path}</span>↓ {formatBytes(b.rx)} ↑ {formatBytes(b.tx)} this
          cycle
        </li>
      ))}
    </ul>
  );
}
