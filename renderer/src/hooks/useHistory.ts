import { useEffect, useState } from 'react';
import type { PathwiseApi, UsageHistoryQuery, UsagePoint } from '../../../common/contract.ts';
import { errorCode, errorMessage } from '../../../common/errors.ts';
import type { Loadable } from './useLive.ts';

/** Refetch history at most this often while usage pushes arrive. */
const REFRESH_MS = 60_000;

/** Usage history for a range; refreshed (at most once a minute) when the ledger pushes new usage. */
export function useHistory(api: PathwiseApi, query: UsageHistoryQuery | null): Loadable<UsagePoint[]> {
  const [data, setData] = useState<Loadable<UsagePoint[]>>({ state: 'loading' });
  const key = query ? `${query.resolution}:${query.from}:${query.to}` : '';
  useEffect(() => {
    if (!query) return;
    let live = true;
    let last = 0;
    const load = (): void => {
      last = Date.now();
      api.invoke('usage.history', query).then(
        (value) => live && setData({ state: 'ready', value }),
        (error: unknown) => {
          if (!live) return;
          const code = errorCode(error);
          setData(
            code === 'E_UNAVAILABLE'
              ? { state: 'unavailable', message: errorMessage(error) }
              : { state: 'error', message: errorMessage(error), code },
          );
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
    // The query is identified by its key; a new object with the same range is the same query.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);
  return data;
}
