import { useCallback, useEffect, useState } from 'react';

export const ROUTES = ['overview', 'transfers', 'usage', 'continuity', 'alerts', 'settings'] as const;
export type Route = (typeof ROUTES)[number];

function read(): Route {
  const hash = window.location.hash.replace(/^#\/?/, '');
  return (ROUTES as readonly string[]).includes(hash) ? (hash as Route) : 'overview';
}

/** Views live in the URL's hash: reloads keep the view and no navigation leaves the page. */
export function useHashRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const onHash = (): void => setRoute(read());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const go = useCallback((next: Route) => {
    window.location.hash = `/${next}`;
    setRoute(next);
  }, []);
  return [route, go];
}
