import { useState } from 'react';
import type { SyncJobInfo } from '../../../common/contract.ts';
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

/** The folder syncs: each job's state, runs and bytes, with Run and Pause/Resume. */
export function SyncsView() {
  const { api, colors } = useDashboard();
  const syncs = useSyncs(api);
  const [error, setError] = useState<string | null>(null);

  const act = (request: Promise<SyncJobInfo>): void => {
    setError(null);
    request.then(
      (job) => {
        const list = syncs.data.state === 'ready' ? syncs.data.value : [];
        syncs.set(list.map((j) => (j.name === job.name ? job : j)));
      },
      (e: unknown) => setError(errorMessage(e)),
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
                />
              ))}
            </ul>
          )
        }
      </LoadableView>
    </>
  );
}
