import { useEffect, useRef, type ReactNode } from 'react';
import type { PathwiseApi } from '../../common/contract.ts';
import { Icon, type IconName } from './components/Icon.tsx';
import { DashboardContext, useDashboardState } from './hooks/useDashboard.ts';
import { valueOf } from './hooks/useLive.ts';
import { overallStatus, STATUS_TEXT } from '../../common/status.ts';
import { useHashRoute, type Route } from './lib/useHashRoute.ts';
import { AlertsView } from './views/AlertsView.tsx';
import { ContinuityView } from './views/ContinuityView.tsx';
import { OverviewView } from './views/OverviewView.tsx';
import { SettingsView } from './views/SettingsView.tsx';
import { TransfersView } from './views/TransfersView.tsx';
import { UsageView } from './views/UsageView.tsx';

const NAV: Array<{ route: Route; label: string; icon: IconName }> = [
  { route: 'overview', label: 'Overview', icon: 'overview' },
  { route: 'transfers', label: 'Transfers', icon: 'transfers' },
  { route: 'usage', label: 'Usage & cost', icon: 'usage' },
  { route: 'continuity', label: 'Continuity', icon: 'continuity' },
  { route: 'alerts', label: 'Alerts', icon: 'alerts' },
  { route: 'settings', label: 'Settings', icon: 'settings' },
];

const VIEWS: Record<Route, () => ReactNode> = {
  overview: () => <OverviewView />,
  transfers: () => <TransfersView />,
  usage: () => <UsageView />,
  continuity: () => <ContinuityView />,
  alerts: () => <AlertsView />,
  settings: () => <SettingsView />,
};

export function App({ api }: { api: PathwiseApi }) {
  const dashboard = useDashboardState(api);
  const [route, go] = useHashRoute();
  const mainRef = useRef<HTMLElement>(null);
  const alerts = valueOf(dashboard.alerts.data) ?? [];
  const unread = alerts.filter((a) => !a.read).length;
  const activeTransfers = (valueOf(dashboard.transfers.data) ?? []).filter((t) =>
    ['queued', 'probing', 'running'].includes(t.state),
  ).length;
  const thresholds = valueOf(dashboard.settings.data)?.capThresholds;
  const status = overallStatus(valueOf(dashboard.paths.data), valueOf(dashboard.usage.data), thresholds);
  const info = valueOf(dashboard.info.data);

  // Moving to another view puts keyboard focus at its heading, as a page load would.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [route]);

  return (
    <DashboardContext.Provider value={dashboard}>
      <div className="app">
        <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), mainRef.current?.focus())}>
          Skip to content
        </a>
        <aside className="sidebar">
          <div className="brand">
            <svg className="brand-mark" viewBox="0 0 32 32" width={28} height={28} aria-hidden="true">
              <rect width={32} height={32} rx={8} className="brand-bg" />
              <path d="M8 16c4-8 12-8 16 0M8 16c4 8 12 8 16 0" className="brand-line" />
              <circle cx={8} cy={16} r={2.6} className="brand-dot" />
              <circle cx={24} cy={16} r={2.6} className="brand-dot" />
            </svg>
            <span className="brand-name">Pathwise</span>
          </div>
          <nav aria-label="Views">
            <ul className="nav-list">
              {NAV.map((item) => (
                <li key={item.route}>
                  <a
                    href={`#/${item.route}`}
                    className={route === item.route ? 'nav-item is-active' : 'nav-item'}
                    aria-current={route === item.route ? 'page' : undefined}
                    onClick={(e) => {
                      e.preventDefault();
                      go(item.route);
                    }}
                  >
                    <Icon name={item.icon} />
                    <span className="nav-label">{item.label}</span>
                    {item.route === 'alerts' && unread > 0 && (
                      <span className="nav-badge" aria-label={`${unread} unread`}>
                        {unread}
                      </span>
                    )}
                    {item.route === 'transfers' && activeTransfers > 0 && (
                      <span className="nav-badge is-neutral" aria-label={`${activeTransfers} active`}>
                        {activeTransfers}
                      </span>
                    )}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div className={`sidebar-status status-${status}`} role="status" aria-live="polite">
            <span className="status-light" aria-hidden="true" />
            <div>
              <div className="sidebar-status-title">{STATUS_TEXT[status].title}</div>
              <div className="sidebar-status-detail">{STATUS_TEXT[status].detail}</div>
            </div>
          </div>
          {info && (
            <div className="sidebar-foot">
              Pathwise {info.version} · {info.shell === 'electron' ? 'desktop' : 'browser'}
            </div>
          )}
        </aside>
        <main id="main" className="main" ref={mainRef} tabIndex={-1}>
          {VIEWS[route]()}
        </main>
      </div>
    </DashboardContext.Provider>
  );
}
