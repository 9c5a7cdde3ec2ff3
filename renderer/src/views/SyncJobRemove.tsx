import type { SyncJobInfo } from '../../../common/contract.ts';
import { ConfirmPanel } from '../components/ConfirmPanel.tsx';

/**
 * "Remove the job?", asked before it goes: what goes (the job, its schedule, its journal) and
 * what stays (the files on both sides, both trash folders). "Keep it" has the focus; Escape too.
 */
export function SyncJobRemove({
  job,
  onRemove,
  onKeep,
}: {
  job: SyncJobInfo;
  onRemove: () => Promise<void>;
  onKeep: () => void;
}) {
  return (
    <ConfirmPanel
      id={`${job.name}-remove`}
      title={`Remove the sync job ${job.name}?`}
      confirmLabel={`Yes, remove ${job.name}`}
      cancelLabel="Keep it"
      focus="cancel"
      onConfirm={onRemove}
      onCancel={onKeep}
    >
      The files stay as they are on both sides, in {job.local} and on the server, and so do both trash
      folders. Only the job goes: its schedule, its journal and a password the app kept for it.
      {job.state === 'running' ? ' Its run in progress stops first.' : ''}
    </ConfirmPanel>
  );
}
