import { createContext, useContext, useMemo } from 'react';
import type {
  Alert,
  Battery,
  ContinuityEvent,
  InvokeResult,
  PathInfo,
  PathwiseApi,
  Settings,
  ThroughputSample,
  TransferInfo,
  UsageSummary,
} from '../../../common/contract.ts';
import { pathColors, type PathColors } from '../lib/pathColors.ts';
import { useLive, valueOf, type Live } from './useLive.ts';
import { useThroughput } from './useThroughput.ts';

/** How many continuity events and alerts the dashboard keeps after the initial list. */
const MAX_EVENTS = 500;

function upsertById<T extends { id: string }>(list: readonly T[] | undefined, item: T): T[] {
  const rest = (list ?? []).filter((x) => x.id !== item.id);
  return [item, ...rest].slice(0, MAX_EVENTS);
}

export interface Dashboard {
  api: PathwiseApi;
  info: Live<InvokeResult<'app.info'>>;
  paths: Live<PathInfo[]>;
  transfers: Live<TransferInfo[]>;
  usage: Live<UsageSummary>;
  alerts: Live<Alert[]>;
  continuity: Live<ContinuityEvent[]>;
  settings: Live<Settings>;
  battery: Live<Battery>;
  throughput: ThroughputSample[];
  colors: PathColors;
}

/** Every live value the views share, subscribed once for the whole app so tab switches lose nothing. */
export function useDashboardState(api: PathwiseApi): Dashboard {
  const info = useLive(
    api,
    (a) => a.invoke('app.info'),
    null,
    (prev) => prev as InvokeResult<'app.info'>,
  );
  const paths = useLive(
    api,
    (a) => a.invoke('paths.list'),
    'paths',
    (_prev, next) => next,
  );
  const transfers = useLive(
    api,
    (a) => a.invoke('transfers.list'),
    'transfers',
    (_prev, next) => next,
  );
  const usage = useLive(
    api,
    (a) => a.invoke('usage.summary'),
    'usage',
    (_prev, next) => next,
  );
  const alerts = useLive(api, (a) => a.invoke('alerts.list'), 'alert', upsertById);
  const continuity = useLive(api, (a) => a.invoke('continuity.list'), 'continuity', upsertById);
  const settings = useLive(
    api,
    (a) => a.invoke('settings.get'),
    'settings',
    (_prev, next) => next,
  );
  const battery = useLive(
    api,
    (a) => a.invoke('battery.get'),
    'battery',
    (_prev, next) => next,
  );
  const throughput = useThroughput(api);
  const pathList = valueOf(paths.data);
  const colors = useMemo(() => pathColors(pathList ?? []), [pathList]);
  return { api, info, paths, transfers, usage, alerts, continuity, settings, battery, throughput, colors };
}

export const DashboardContext = createContext<Dashboard | null>(null);

export function useDashboard(): Dashboard {
  const value = useContext(DashboardContext);
  if (!value) throw new Error('useDashboard outside DashboardContext');
  return value;
}
