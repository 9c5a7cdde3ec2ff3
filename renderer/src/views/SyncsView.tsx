import { useState } from 'react';
import type { SyncJobEdit, SyncJobInfo } from '../../../common/contract.ts';
import { errorMessage } from '../../../common/errors.ts';
import { EmptyState, LoadableView } from '../components/States.tsx';
import { ViewHeader } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { useSyncs } from '../hooks/useSyncs.ts';
import { SyncJobRow } from './SyncJobRow.tsx';
import './transfers.css';
import './syncs.css';

const SYNCS_UNAVAILABLE = {
  icon: 'restore' as const,
  title: 'Syncs are not available',
  text: 'This Pathwise does not run folder syncs. Restart Pathwise; "pathwise sync list" in a terminal shows the jobs.',
};

/** The folder syncs: each job's state, runs and bytes, with Run, Pause/Resume, Edit and Remove. */
export function SyncsView() {
  const { api, colors } = useDashboard();
  const syncs = useSyncs(api);
  const [error, setError] = useState<string | null>(null);

  const [notice, setNotice] = useState<string | null>(null);
  const replace = (job: SyncJobInfo): void => {
    const list = syncs.data.state === 'ready' ? syncs.data.value : [];
    syncs.set(list.map((j) => (j.name === job.name ? job : j)));
  };
  const act = (request: Promise<SyncJobInfo>): void => {
    setError(null);
    request.then(replace, (e: unknown) => setError(errorMessage(e)));
  };
  // Edit and Remove show a refusal in their own form (it rejects there).
  const edit = async (name: string, change: SyncJobEdit): Promise<void> => {
    replace(await api.invoke('syncs.edit', name, change));
    setNotice(`Saved the changes to ${name}.`);
  };
  const remove = async (job: SyncJobInfo): Promise<void> => {
    syncs.set(await api.invoke('syncs.remove', job.name));
    setNotice(
      `Removed the sync job ${job.name}. Its files stay as they are in ${job.local} and on the server.`,
    );
  };

  return (
    <>
      <ViewHeader
        title="Syncs"
        subtitle="Folders kept in step with WebDAV servers, over the paths each job's policy allows."
      />
      {error && (
        <p className="banner banner-bad" role="alert">
          {error}
        </p>
      )}
      <p className="sync-notice" role="status">
        {notice}
      </p>
      <LoadableView data={syncs.data} what="syncs" onRetry={syncs.reload} unavailable={SYNCS_UNAVAILABLE}>
        {(jobs) =>
          jobs.length === 0 ? (
            <EmptyState icon="restore" title="No sync jobs">
              Add one in a terminal: pathwise sync add NAME --local DIR --remote URL --every 15m. It appears
              here at once.
            </EmptyState>
          ) : (
            <ul className="transfer-list" aria-label="Sync jobs">
              {jobs.map((job) => (
                <SyncJobRow
                  key={job.name}
                  job={job}
                  colors={colors}
                  onRun={(force) => act(api.invoke('syncs.run', job.name, { force }))}
                  onPause={() => act(api.invoke('syncs.pause', job.name))}
                  onResume={() => act(api.invoke('syncs.resume', job.name))}
                  onEdit={(change) => edit(job.name, change)}
                  onRemove={() => remove(job)}
                />
              ))}
            </ul>
          )
        }
      </LoadableView>
    </>
  );
}
