import { createContext, useCallback, useContext, useEffect, useState } from 'react';

export const ROUTES = [
  'overview',
  'transfers',
  'syncs',
  'usage',
  'continuity',
  'alerts',
  'settings',
] as const;
export type Route = (typeof ROUTES)[number];

/**
 * What a view is opened on, after its name in the hash: `#/settings?plan=wwan0` opens the plan
 * editor for wwan0, `#/transfers?transfer=<id>` shows that download.
 */
export type RouteParams = { plan?: string; transfer?: string };

export type Navigate = (route: Route, params?: RouteParams) => void;

function read(): Route {
  const hash = window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  return (ROUTES as readonly string[]).includes(hash) ? (hash as Route) : 'overview';
}

/** A parameter of the view the hash names (see RouteParams), or null. */
export function hashParam(name: keyof RouteParams): string | null {
  const query = window.location.hash.split('?')[1];
  return query ? new URLSearchParams(query).get(name) : null;
}

/** Views live in the URL's hash: reloads keep the view and no navigation leaves the page. */
export function useHashRoute(): [Route, Navigate] {
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const onHash = (): void => setRoute(read());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const go = useCallback<Navigate>((next, params) => {
    const query = params ? new URLSearchParams(params as Record<string, string>).toString() : '';
    window.location.hash = `/${next}${query ? `?${query}` : ''}`;
    setRoute(next);
  }, []);
  return [route, go];
}

/** How a view moves to another (an alert's "Edit plan", a transfer's "Raise the cap"). */
export const NavigateContext = createContext<Navigate>(() => undefined);

export function useNavigate(): Navigate {
  return useContext(NavigateContext);
}
