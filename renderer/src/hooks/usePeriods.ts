import { useEffect, useState } from 'react';
import type { PathwiseApi, UsagePeriod, UsagePeriodQuery } from '../../../common/contract.ts';
import { errorCode, errorMessage, isUnavailable } from '../../../common/errors.ts';
import type { Loadable } from './useLive.ts';

/** Refetch at most this often while usage pushes arrive. */
const REFRESH_MS = 60_000;

type Kind = UsagePeriodQuery['kind'];

/**
 * Usage by day, month or billing cycle per path (`usage.periods`). Refreshed when the ledger
 * pushes new usage (at most once a minute) and at once when `revision` changes (a correction).
 * A new kind shows loading until its own answer comes; a refresh keeps the table until then.
 */
export function usePeriods(api: PathwiseApi, kind: Kind, revision: number): Loadable<UsagePeriod[]> {
  const [data, setData] = useState<{ kind: Kind; value: Loadable<UsagePeriod[]> } | null>(null);
  useEffect(() => {
    let live = true;
    let last = 0;
    const load = (): void => {
      last = Date.now();
      api.invoke('usage.periods', { kind }).then(
        (value) => live && setData({ kind, value: { state: 'ready', value } }),
        (error: unknown) => {
          if (!live) return;
          const value: Loadable<UsagePeriod[]> = isUnavailable(error)
            ? { state: 'unavailable', message: errorMessage(error) }
            : { state: 'error', message: errorMessage(error), code: errorCode(error) };
          setData({ kind, value });
        },
      );
    };
    load();
    const off = api.on('usage', () => {
      if (Date.now() - last >= REFRESH_MS) load();
    });
    return () => {
      live = false;
      off();
    };
  }, [api, kind, revision]);
  return data && data.kind === kind ? data.value : { state: 'loading' };
}
