import { useState } from 'react';
import type { StartTransfer, TransferInfo } from '../../../common/contract.ts';
import { Icon } from '../components/Icon.tsx';
import { EmptyState, LoadableView } from '../components/States.tsx';
import { Section, ViewHeader } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import { errorMessage } from '../../../common/errors.ts';
import { AddTransferForm } from './AddTransferForm.tsx';
import { hashParam } from '../lib/useHashRoute.ts';
import { isNetworkPath } from './OverviewView.tsx';
import { TransferRow } from './TransferRow.tsx';

const ACTIVE = new Set<TransferInfo['state']>(['queued', 'probing', 'running', 'paused']);

const ENGINE_UNAVAILABLE = {
  icon: 'transfers' as const,
  title: 'Transfers are not available',
  text: 'The transfer engine is not running in this Pathwise. Restart Pathwise; if it stays like this, run "pathwise serve" in a terminal to see why it did not start.',
};

/** Runs a request to the core; its failure becomes the view's banner. */
type Run = (work: Promise<unknown>) => void;

export function TransfersView() {
  const { api, transfers, paths, colors } = useDashboard();
  const [error, setError] = useState<string | null>(null);

  const run: Run = (work) => {
    setError(null);
    work.catch((e: unknown) => setError(errorMessage(e)));
  };
  // The core answers a command with the transfer as it is now: it replaces the old one in the list.
  const update = (changed: TransferInfo): void => {
    const current = valueOf(transfers.data) ?? [];
    const others = current.filter((t) => t.id !== changed.id);
    transfers.set([changed, ...others]);
  };
  const start = async (request: StartTransfer): Promise<void> => {
    update(await api.invoke('transfers.start', request));
  };

  return (
    <>
      <ViewHeader
        title="Transfers"
        subtitle="Downloads split across your paths; they survive a path failing and resume after a restart."
        actions={transfers.data.state === 'ready' && <BulkActions run={run} />}
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
        unavailable={ENGINE_UNAVAILABLE}
      >
        {(list) => (
          <>
            <Section title="New download">
              <AddTransferForm
                paths={(valueOf(paths.data) ?? []).filter(isNetworkPath)}
                colors={colors}
                onStart={start}
              />
            </Section>
            <Downloads list={list} run={run} update={update} />
          </>
        )}
      </LoadableView>
    </>
  );
}

/** Pause all and Resume all, each enabled only when there is something to pause or resume. */
function BulkActions({ run }: { run: Run }) {
  const { api, transfers } = useDashboard();
  const list = valueOf(transfers.data) ?? [];
  const hasActive = list.some((t) => ACTIVE.has(t.state) && t.state !== 'paused');
  const hasPaused = list.some((t) => t.state === 'paused');
  return (
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
  );
}

/** Every download, those still going first, then newest first. */
function Downloads({
  list,
  run,
  update,
}: {
  list: TransferInfo[];
  run: Run;
  update: (changed: TransferInfo) => void;
}) {
  const { api, colors, info } = useDashboard();
  const canReveal = valueOf(info.data)?.shell === 'electron';
  // Opened from an alert's "Open transfer": that download is marked and scrolled to.
  const [target] = useState(() => hashParam('transfer'));
  const sorted = [...list].sort(
    (a, b) => Number(ACTIVE.has(b.state)) - Number(ACTIVE.has(a.state)) || b.createdAt - a.createdAt,
  );
  return (
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
              target={t.id === target}
              onPause={() => run(api.invoke('transfers.pause', t.id).then(update))}
              onUsePaths={(paths) => run(api.invoke('transfers.setPaths', t.id, paths).then(update))}
              onResume={() => run(api.invoke('transfers.resume', t.id).then(update))}
              onCancel={() => run(api.invoke('transfers.cancel', t.id).then(update))}
              onReveal={() => run(api.invoke('transfers.reveal', t.id))}
            />
          ))}
        </ul>
      )}
    </Section>
  );
}
