import { useEffect, useState } from 'react';
import type { PathInfo, PathwiseApi } from '../../main/contract.ts';

export type Loadable<T> =
  { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string };

/** The live list of paths: an initial fetch, then every push from the core. */
export function usePaths(api: PathwiseApi): Loadable<PathInfo[]> {
  const [paths, setPaths] = useState<Loadable<PathInfo[]>>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    const off = api.on('paths', (value) => setPaths({ state: 'ready', value }));
    api.invoke('paths.list').then(
      (value) => live && setPaths((prev) => (prev.state === 'ready' ? prev : { state: 'ready', value })),
      (error: unknown) =>
        live && setPaths({ state: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      live = false;
      off();
    };
  }, [api]);
  return paths;
}
