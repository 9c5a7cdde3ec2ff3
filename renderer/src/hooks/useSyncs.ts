import type { PathwiseApi, SyncJobInfo } from '../../../common/contract.ts';
import { useLive, type Live } from './useLive.ts';

/** The sync jobs: fetched once, then kept current by the `syncs` push (state, progress, last run). */
export function useSyncs(api: PathwiseApi): Live<SyncJobInfo[]> {
  return useLive(
    api,
    (a) => a.invoke('syncs.list'),
    'syncs',
    (_previous, next) => next,
  );
}
