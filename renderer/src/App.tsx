import { useEffect, useRef, type ReactNode } from 'react';
import type { PathwiseApi } from '../../common/contract.ts';
import { DashboardContext, useDashboardState } from './hooks/useDashboard.ts';
import { useHashRoute, type Route } from './lib/useHashRoute.ts';
import { Sidebar } from './Sidebar.tsx';
import { AlertsView } from './views/AlertsView.tsx';
import { ContinuityView } from './views/ContinuityView.tsx';
import { OverviewView } from './views/OverviewView.tsx';
import { SettingsView } from './views/SettingsView.tsx';
import { TransfersView } from './views/TransfersView.tsx';
import { UsageView } from './views/UsageView.tsx';

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
        <Sidebar route={route} go={go} />
        <main id="main" className="main" ref={mainRef} tabIndex={-1}>
          {VIEWS[route]()}
        </main>
      </div>
    </DashboardContext.Provider>
  );
}
