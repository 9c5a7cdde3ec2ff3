import { useContext, useState } from 'react';
import type { PathInfo, PathwiseApi } from '../../../common/contract.ts';
import { errorMessage } from '../../../common/errors.ts';
import { DashboardContext } from '../hooks/useDashboard.ts';

/** A badge for a path that is up but not well: weak (degraded) or being checked (suspect). */
export function HealthBadges({ path }: { path: PathInfo }) {
  if (!path.up) return null;
  const health = path.health;
  if (health?.status === 'degraded') {
    return (
      <span className="badge badge-warn" title={health.detail}>
        Weak
      </span>
    );
  }
  if (health?.status === 'suspect') {
    return (
      <span className="badge badge-warn" title={health.detail}>
        Suspect
      </span>
    );
  }
  return null;
}

/** Why an up path is not healthy, in the verdict's words; behind a portal, the way to sign in. */
export function HealthNote({ path }: { path: PathInfo }) {
  const health = path.health;
  if (!path.up || !health || health.status === 'good' || health.status === 'unknown') return null;
  return (
    <div className="path-health-note">
      {health.detail && <p className="muted small">{health.detail}</p>}
      {health.status === 'captive' && health.portalUrl && <OpenPortal path={path} />}
    </div>
  );
}

/** http(s) only: a portal can't make the dashboard open a script, a file or another scheme. */
export function isWebUrl(url: string): boolean {
  try {
    return /^https?:$/.test(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * Asks the core for the portal's sign-in page: the desktop app opens it in the default browser
 * (`opened`); in a browser tab (`pathwise serve`) this page opens it in a new tab itself.
 */
export async function openPortal(api: PathwiseApi, name: string): Promise<void> {
  const { url, opened } = await api.invoke('paths.openPortal', name);
  if (opened) return;
  if (!isWebUrl(url)) throw new Error('The portal named a page Pathwise will not open.');
  window.open(url, '_blank', 'noopener,noreferrer');
}

function OpenPortal({ path }: { path: PathInfo }) {
  const api = useContext(DashboardContext)?.api;
  const [error, setError] = useState<string | null>(null);
  if (!api) return null;
  return (
    <>
      <button
        type="button"
        className="btn btn-sm"
        title={path.health?.portalUrl}
        onClick={() => {
          setError(null);
          openPortal(api, path.name).catch((e: unknown) => setError(errorMessage(e)));
        }}
      >
        Open login page
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
