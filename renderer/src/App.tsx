import { useEffect, useRef, type ReactNode } from 'react';
import type { PathwiseApi } from '../../common/contract.ts';
import { DashboardContext, useDashboardState } from './hooks/useDashboard.ts';
import { NavigateContext, useHashRoute, type Route } from './lib/useHashRoute.ts';
import { Sidebar } from './Sidebar.tsx';
import './dashboard.css';
import { AlertsView } from './views/AlertsView.tsx';
import { ContinuityView } from './views/ContinuityView.tsx';
import { OverviewView } from './views/OverviewView.tsx';
import { SettingsView } from './views/SettingsView.tsx';
import { SyncsView } from './views/SyncsView.tsx';
import { TransfersView } from './views/TransfersView.tsx';
import { UsageView } from './views/UsageView.tsx';

const VIEWS: Record<Route, () => ReactNode> = {
  overview: () => <OverviewView />,
  transfers: () => <TransfersView />,
  syncs: () => <SyncsView />,
  usage: () => <UsageView />,
  continuity: () => <ContinuityView />,
  alerts: () => <AlertsView />,
  settings: () => <SettingsView />,
};

export function App({ api }: { api: PathwiseApi }) {
  const dashboard = useDashboardState(api);
  const [route, go] = useHashRoute();
  const mainRef = useRef<HTMLElement>(null);

  // Moving to another view puts keyboard focus at its heading, as a page load would, unless the
  // view has put it on what it was opened for (the plan editor an alert's "Edit plan" opens).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const main = mainRef.current;
    if (main && document.activeElement !== main && main.contains(document.activeElement)) return;
    main?.querySelector<HTMLElement>('h1')?.focus();
  }, [route]);

  return (
    <DashboardContext.Provider value={dashboard}>
      <NavigateContext.Provider value={go}>
        <div className="app">
          <a
            className="skip-link"
            href="#main"
            onClick={(e) => (e.preventDefault(), mainRef.current?.focus())}
          >
            Skip to content
          </a>
          <Sidebar route={route} go={go} />
          <main id="main" className="main" ref={mainRef} tabIndex={-1}>
            {VIEWS[route]()}
          </main>
        </div>
      </NavigateContext.Provider>
    </DashboardContext.Provider>
  );
}
