import { useState } from 'react';
import type { Alert, TransferInfo } from '../../../common/contract.ts';
import { PathDot } from '../components/Bars.tsx';
import { Icon, type IconName } from '../components/Icon.tsx';
import { ItemHeader } from '../components/ItemHeader.tsx';
import { Segmented } from '../components/Segmented.tsx';
import { EmptyState, LoadableView } from '../components/States.tsx';
import { ViewHeader } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import { errorMessage } from '../../../common/errors.ts';
import { useNavigate, type Route, type RouteParams } from '../lib/useHashRoute.ts';

type Filter = 'all' | 'unread';

const SEVERITY_ICON: Record<Alert['severity'], IconName> = {
  info: 'info',
  warning: 'warning',
  critical: 'warning',
};

const LEDGER_UNAVAILABLE = {
  icon: 'alerts' as const,
  title: 'Alerts are not available',
  text: 'Alerts come from the usage ledger, which is not running in this Pathwise. Restart Pathwise; if it stays like this, run "pathwise usage" in a terminal to see why.',
};

export function AlertsView() {
  const { api, alerts } = useDashboard();
  const [filter, setFilter] = useState<Filter>('all');
  const [error, setError] = useState<string | null>(null);
  const unread = (valueOf(alerts.data) ?? []).filter((a) => !a.read);

  const markRead = (ids: string[]): void => {
    setError(null);
    api.invoke('alerts.markRead', ids).then(alerts.set, (e: unknown) => setError(errorMessage(e)));
  };

  return (
    <>
      <ViewHeader
        title="Alerts"
        subtitle="Caps, forecasts, unexpected cellular use, handovers and finished downloads."
        actions={
          alerts.data.state === 'ready' && (
            <>
              <Segmented
                label="Show"
                size="sm"
                value={filter}
                options={[
                  { value: 'all', label: 'All' },
                  { value: 'unread', label: `Unread (${unread.length})` },
                ]}
                onChange={setFilter}
              />
              <button
                type="button"
                className="btn"
                disabled={unread.length === 0}
                onClick={() => markRead(unread.map((a) => a.id))}
              >
                <Icon name="check" size={16} /> Mark all read
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
      <LoadableView data={alerts.data} what="alerts" onRetry={alerts.reload} unavailable={LEDGER_UNAVAILABLE}>
        {(all) => <AlertList all={all} filter={filter} onRead={markRead} />}
      </LoadableView>
    </>
  );
}

/** The alerts the filter lets through, newest first. */
function AlertList({
  all,
  filter,
  onRead,
}: {
  all: Alert[];
  filter: Filter;
  onRead: (ids: string[]) => void;
}) {
  const shown = [...all].filter((a) => filter === 'all' || !a.read).sort((a, b) => b.at - a.at);
  if (shown.length === 0) {
    return (
      <EmptyState icon="alerts" title={filter === 'unread' && all.length > 0 ? 'All caught up' : 'No alerts'}>
        Pathwise tells you here (and with a notification) when a path nears its cap, cellular is used
        unexpectedly, a download hands over or finishes.
      </EmptyState>
    );
  }
  return (
    <ul className="alert-list" aria-label="Alerts">
      {shown.map((alert) => (
        <AlertItem key={alert.id} alert={alert} onRead={() => onRead([alert.id])} />
      ))}
    </ul>
  );
}

/**
 * What an alert asks for next: the plan behind a cap alert, the download behind a transfer one
 * (by the id the alert carries, while that download is still listed: an alert stored before it
 * carried one, or whose download was removed, offers none rather than a guess by name), the path
 * behind a portal or unexpected cellular use.
 */
function followUp(
  alert: Alert,
  transfers: readonly TransferInfo[],
): { label: string; route: Route; params?: RouteParams } | null {
  switch (alert.kind) {
    case 'cap-threshold':
    case 'cap-forecast':
      return alert.path ? { label: 'Edit plan', route: 'settings', params: { plan: alert.path } } : null;
    case 'transfer-done':
    case 'transfer-failed':
    case 'handover': {
      const transfer = transfers.find((t) => t.id === alert.transferId);
      return transfer
        ? { label: 'Open transfer', route: 'transfers', params: { transfer: transfer.id } }
        : null;
    }
    case 'unexpected-cellular':
    case 'captive-portal':
      return { label: 'See paths', route: 'overview' };
    default:
      return null;
  }
}

function AlertItem({ alert, onRead }: { alert: Alert; onRead: () => void }) {
  const { colors, transfers } = useDashboard();
  const go = useNavigate();
  const next = followUp(alert, valueOf(transfers.data) ?? []);
  // "wlan0 failed" is about wlan0: alerts stored before the core said so named the path it moved to.
  const chip =
    alert.kind === 'handover' ? (/^(\S+) failed$/.exec(alert.title)?.[1] ?? alert.path) : alert.path;
  return (
    <li
      className={`alert-item severity-${alert.severity}${alert.read ? '' : ' is-unread'}`}
      aria-label={`${alert.read ? '' : 'Unread: '}${alert.title}`}
    >
      <ItemHeader
        icon={<Icon name={SEVERITY_ICON[alert.severity]} size={18} />}
        title={alert.title}
        at={alert.at}
        meta={
          <>
            <p className="alert-message">{alert.message}</p>
            {chip && (
              <span className="cell-path small">
                <PathDot color={colors(chip)} /> {chip}
              </span>
            )}
          </>
        }
        actions={
          <>
            {next && (
              <button
                type="button"
                className="btn btn-sm"
                onClick={() => go(next.route, next.params)}
                aria-label={`${next.label}: ${alert.title}`}
              >
                {next.label}
              </button>
            )}
            {!alert.read && (
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                onClick={onRead}
                aria-label={`Mark "${alert.title}" as read`}
              >
                Mark read
              </button>
            )}
          </>
        }
      />
    </li>
  );
}
