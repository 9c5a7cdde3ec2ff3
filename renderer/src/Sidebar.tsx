import type { InvokeResult } from '../../common/contract.ts';
import { capReachedText, overallStatus, STATUS_TEXT } from '../../common/status.ts';
import { Icon, type IconName } from './components/Icon.tsx';
import { useDashboard } from './hooks/useDashboard.ts';
import { valueOf } from './hooks/useLive.ts';
import type { Route } from './lib/useHashRoute.ts';

const NAV: Array<{ route: Route; label: string; icon: IconName }> = [
  { route: 'overview', label: 'Overview', icon: 'overview' },
  { route: 'transfers', label: 'Transfers', icon: 'transfers' },
  { route: 'syncs', label: 'Syncs', icon: 'restore' },
  { route: 'usage', label: 'Usage & cost', icon: 'usage' },
  { route: 'continuity', label: 'Continuity', icon: 'continuity' },
  { route: 'alerts', label: 'Alerts', icon: 'alerts' },
  { route: 'settings', label: 'Settings', icon: 'settings' },
];

/** The app's side: brand, the views with what waits in them, and the machine's status at a glance. */
export function Sidebar({ route, go }: { route: Route; go: (route: Route) => void }) {
  const { info } = useDashboard();
  const about = valueOf(info.data);
  return (
    <aside className="sidebar">
      <Brand />
      <ViewNav route={route} go={go} />
      <SidebarStatus />
      {about && <SidebarFoot info={about} />}
    </aside>
  );
}

function Brand() {
  return (
    <div className="brand">
      <svg className="brand-mark" viewBox="0 0 32 32" width={28} height={28} aria-hidden="true">
        <rect width={32} height={32} rx={8} className="brand-bg" />
        <path d="M8 16c4-8 12-8 16 0M8 16c4 8 12 8 16 0" className="brand-line" />
        <circle cx={8} cy={16} r={2.6} className="brand-dot" />
        <circle cx={24} cy={16} r={2.6} className="brand-dot" />
      </svg>
      <span className="brand-name">Pathwise</span>
    </div>
  );
}

/** Links to each view; Alerts counts the unread ones, Transfers those still going. */
function ViewNav({ route, go }: { route: Route; go: (route: Route) => void }) {
  const { alerts, transfers } = useDashboard();
  const unread = (valueOf(alerts.data) ?? []).filter((a) => !a.read).length;
  const activeTransfers = (valueOf(transfers.data) ?? []).filter((t) =>
    ['queued', 'probing', 'running'].includes(t.state),
  ).length;
  return (
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
  );
}

/**
 * The same status rule as the tray icon: paths, caps and thresholds in one word; a cap that is
 * reached is said as such ("Near a data cap" is for below it), naming the path and what Pathwise
 * does there by its plan.
 */
function SidebarStatus() {
  const { paths, usage, settings } = useDashboard();
  const thresholds = valueOf(settings.data)?.capThresholds;
  const status = overallStatus(valueOf(paths.data), valueOf(usage.data), thresholds);
  const text =
    (status === 'at-cap' && capReachedText(valueOf(usage.data), valueOf(settings.data)?.plans)) ||
    STATUS_TEXT[status];
  return (
    <div className={`sidebar-status status-${status}`} role="status" aria-live="polite">
      <span className="status-light" aria-hidden="true" />
      <div>
        <div className="sidebar-status-title">{text.title}</div>
        <div className="sidebar-status-detail">{text.detail}</div>
      </div>
    </div>
  );
}

/** Which Pathwise this is, and whether it runs as the desktop app or in a browser. */
function SidebarFoot({ info }: { info: InvokeResult<'app.info'> }) {
  return (
    <div className="sidebar-foot">
      Pathwise {info.version} · {info.shell === 'electron' ? 'desktop' : 'browser'}
    </div>
  );
}
