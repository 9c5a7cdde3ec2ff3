import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { SyncJobEdit, SyncJobInfo } from '../../../common/contract.ts';
import { ConfirmPanel } from '../components/ConfirmPanel.tsx';
import { FormActions } from '../components/FormActions.tsx';
import { Segmented } from '../components/Segmented.tsx';
import { TextField } from '../components/TextField.tsx';
import { useFormDraft } from '../hooks/useFormDraft.ts';
import { checkSync, draftOf, type SyncDraft } from './syncDraft.ts';

const POLICIES: ReadonlyArray<{ value: SyncDraft['policy']; label: string; title: string }> = [
  { value: 'unmetered', label: 'Unmetered only', title: 'Never a metered path (cellular, tethering)' },
  { value: 'cellular', label: 'Cellular allowed', title: 'Metered paths too, up to an allowance a cycle' },
  { value: 'any', label: 'Any path', title: 'Every path, metered or not, without an allowance' },
];

const PASSWORD_HINT: Record<SyncJobInfo['password']['from'], string> = {
  keyring: 'Sealed by the system keyring. Type a new one to replace it; empty keeps it.',
  file: 'Read from a file now. A password typed here is sealed by the system keyring where there is one.',
  env: 'Read from an environment variable now. A password typed here is sealed by the system keyring where there is one.',
  none: 'The job logs in without one. A password typed here is sealed by the system keyring where there is one.',
};

export const FRESH_JOURNAL =
  'Another folder starts the job’s journal afresh: its next run compares both folders, copies what either lacks, keeps both versions of any file that differs, and deletes nothing.';

interface Props {
  job: SyncJobInfo;
  onSave: (change: SyncJobEdit) => Promise<void>;
  onCancel: () => void;
}

/**
 * The form behind a job's Edit: its folders, login, schedule, policy, paths and rate limit, each
 * checked with a message that says how to fix it. Another folder pair is asked about first (a
 * fresh journal), and is not offered while the job runs. Escape cancels.
 */
export function SyncJobEditor({ job, onSave, onCancel }: Props) {
  const { draft, edit, errors, field, submit } = useFormDraft<SyncDraft>(() => draftOf(job));
  const [pending, setPending] = useState<SyncJobEdit | null>(null);
  const form = useRef<HTMLFormElement>(null);
  // Into the form when it opens, and again when the question about the folders goes back to it.
  useEffect(() => {
    if (!pending) form.current?.querySelector<HTMLInputElement>('input:not(:disabled)')?.focus();
  }, [pending]);
  const save = async ({ change, movesFolders }: { change: SyncJobEdit; movesFolders: boolean }) => {
    if (Object.keys(change).length === 0) return onCancel();
    if (movesFolders) return setPending(change);
    await onSave(change);
  };
  const escape = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') onCancel();
  };
  if (pending)
    return (
      <FreshJournalConfirm job={job} onConfirm={() => onSave(pending)} onBack={() => setPending(null)} />
    );
  return (
    <form
      ref={form}
      className="plan-editor sync-editor"
      onSubmit={(e) => void submit(e, (d) => checkSync(d, job), save)}
      onKeyDown={escape}
      noValidate
      aria-label={`Edit ${job.name}`}
    >
      <SyncFields job={job} draft={draft} edit={edit} field={field} />
      <FormActions submit="Save changes" error={errors.form}>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          Cancel
        </button>
      </FormActions>
    </form>
  );
}

type Form = ReturnType<typeof useFormDraft<SyncDraft>>;

/** The job's fields: folders (not while it runs), login, schedule, policy, paths, limits. */
function SyncFields({
  job,
  draft,
  edit,
  field,
}: { job: SyncJobInfo } & Pick<Form, 'draft' | 'edit' | 'field'>) {
  const running = job.state === 'running';
  const folderHint = running
    ? 'The job is running: pause it, or wait for its run to end, to change its folders.'
    : undefined;
  return (
    <div className="form-grid">
      <TextField {...field('local', 'Local folder', folderHint)} className="mono" disabled={running} wide />
      <TextField {...field('remote', 'Server folder (WebDAV URL)', folderHint)} disabled={running} wide />
      <TextField {...field('user', 'User')} autoComplete="off" />
      <TextField
        {...field('password', 'New password or app token', PASSWORD_HINT[job.password.from])}
        type="password"
        autoComplete="new-password"
      />
      <TextField {...field('every', 'Run every (minutes)', 'Empty: by hand only.')} inputMode="numeric" />
      <label className="check field">
        <input
          type="checkbox"
          checked={draft.onPathChange === 'yes'}
          onChange={(e) => edit({ onPathChange: e.target.checked ? 'yes' : 'no' })}
        />
        Also run when the paths it may use change
      </label>
      <div className="field field-wide">
        <Segmented
          label="Network policy"
          hideLabel={false}
          value={draft.policy}
          options={POLICIES}
          onChange={(policy) => edit({ policy })}
        />
      </div>
      {draft.policy === 'cellular' && (
        <TextField
          {...field('allowance', 'Cellular allowance a cycle', 'e.g. 100 MB; empty for no limit')}
          placeholder="No limit"
        />
      )}
      <TextField
        {...field(
          'paths',
          'Only these interfaces',
          'Comma-separated, e.g. wlan0, eth0; empty: all the policy allows',
        )}
        placeholder="All the policy allows"
      />
      <TextField {...field('rate', 'Rate limit', 'e.g. 2 MB/s; empty for none')} placeholder="None" />
      <TextField
        {...field(
          'battery',
          'Not on battery below (%)',
          'Scheduled runs wait; a run by hand goes ahead. Empty: any charge.',
        )}
        inputMode="numeric"
      />
    </div>
  );
}

/** "The folders change: the journal starts afresh" — said before it happens, and confirmed. */
function FreshJournalConfirm({
  job,
  onConfirm,
  onBack,
}: {
  job: SyncJobInfo;
  onConfirm: () => Promise<void>;
  onBack: () => void;
}) {
  return (
    <ConfirmPanel
      id={`${job.name}-fresh`}
      title={`Change the folders of ${job.name}?`}
      confirmLabel="Save and start afresh"
      cancelLabel="Back"
      focus="confirm"
      onConfirm={onConfirm}
      onCancel={onBack}
    >
      {FRESH_JOURNAL}
    </ConfirmPanel>
  );
}
