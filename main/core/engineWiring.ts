import type { BudgetProvider } from '../base/budget.ts';
import type { ContinuityEvent, TransferInfo } from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';
import type { BoundPaths, PathBinder } from '../engine/PathBinder.ts';
import { PathLimits } from '../engine/PathLimits.ts';
import { TransferManager } from '../engine/TransferManager.ts';
import type { AppRateMeter } from '../monitor/AppRateMeter.ts';
import { HandedTransfers } from './HandedTransfers.ts';
import type { PathwiseService } from './PathwiseService.ts';
import { throttlePublish, type PublishThrottle } from './publishThrottle.ts';
import type { SettingsStore } from './SettingsStore.ts';

/** How often the UI may get the transfer list, and the engine's progress tick. */
const PROGRESS_MS = 250;
/** The binding check runs every this many progress ticks (each second). */
const TICKS_PER_CHECK = 4;

export interface EngineParts {
  service: PathwiseService;
  settings: SettingsStore;
  paths: BoundPaths;
  binder: PathBinder;
  appRates: AppRateMeter;
  /** What each path may still spend (the ledger, or the caller's); unlimited when absent. */
  budget: BudgetProvider | undefined;
  /** The paths' health changes, listed on the continuity timeline with the downloads' events. */
  health?: { continuity(): ContinuityEvent[] };
  env?: NodeJS.ProcessEnv;
}

/** The app's downloads: its own (the dashboard's) and the ones command lines handed to it. */
export interface EngineDownloads {
  transfers: TransferManager;
  handed: HandedTransfers;
}

/**
 * Builds the engine on the bound paths and carries its downloads to the UI: the list (throttled),
 * continuity events, and the payload bytes the chart and the binding check count. Downloads handed
 * over by `pathwise get` share its limits and binder and are listed and controlled with its own.
 */
export function wireEngine({
  service,
  settings,
  paths,
  binder,
  appRates,
  budget,
  health,
  env,
}: EngineParts): EngineDownloads {
  const transfers = new TransferManager({
    paths,
    agentFactory: binder.agentFactory,
    settings: () => settings.get(),
    limits: new PathLimits(budget),
  });
  const handed = new HandedTransfers({
    paths,
    limits: transfers.limits,
    agentFactory: binder.agentFactory,
    // A `pathwise get` whose environment names a proxy goes through that one, bound the same way.
    agentFactoryWith: (proxy) => binder.agentFactoryWith(proxy),
    ...(env ? { env } : {}),
  });
  const downloads = { transfers, handed };
  const publishList = throttlePublish(() => service.publish('transfers', listAll(downloads)), PROGRESS_MS);
  for (const source of [transfers, handed]) {
    source.on('changed', publishList.request);
    source.on('continuity', (event) => service.publish('continuity', event));
    source.on('bytes', (event) => {
      appRates.record(event);
      binder.record(event.path, event.bytes);
    });
  }
  serveTransfers(service, downloads, binder, publishList, health);
  return downloads;
}

function listAll({ transfers, handed }: EngineDownloads): TransferInfo[] {
  return [...transfers.list(), ...handed.list()];
}

/** The transfers as the contract asks for them, and the progress tick while the core runs. */
function serveTransfers(
  service: PathwiseService,
  downloads: EngineDownloads,
  binder: PathBinder,
  publishList: PublishThrottle,
  health: EngineParts['health'],
): void {
  const { transfers, handed } = downloads;
  // A handed-over download's id is answered by its owner; every other id by the engine's manager.
  const owner = (id: string): TransferManager | HandedTransfers => (handed.has(id) ? handed : transfers);
  let progressTimer: NodeJS.Timeout | undefined;
  service.register(
    {
      'transfers.list': async () => listAll(downloads),
      'transfers.start': async (request) => transfers.start(request),
      'transfers.pause': async (id) => owner(id).pause(id),
      'transfers.resume': async (id) => owner(id).resume(id),
      'transfers.cancel': async (id) => owner(id).cancel(id),
      'transfers.setPaths': async (id, paths) => {
        if (handed.has(id)) throw handedPaths();
        return transfers.setPaths(id, paths);
      },
      'transfers.pauseAll': async () => {
        await Promise.all([transfers.pauseAll(), handed.pauseAll()]);
        return listAll(downloads);
      },
      'transfers.resumeAll': async () => {
        await transfers.resumeAll();
        await handed.resumeAll();
        return listAll(downloads);
      },
      // The desktop shell answers this itself (it can open the file manager); elsewhere nothing can.
      'transfers.reveal': async () => {
        throw new PathwiseError(
          'E_UNSUPPORTED',
          'Showing a download in the file manager needs the desktop app; the file is in your download folder.',
        );
      },
      'continuity.list': async () =>
        [...transfers.continuity(), ...handed.continuity(), ...(health?.continuity() ?? [])].sort(
          (a, b) => a.at - b.at,
        ),
    },
    {
      start: () => {
        let ticks = 0;
        progressTimer = setInterval(() => {
          if (!transfers.running && !handed.running) return;
          publishList.request();
          // Each second, check the engine's bytes against the interfaces' own counters.
          if (++ticks % TICKS_PER_CHECK === 0) void binder.check().catch(() => undefined);
        }, PROGRESS_MS);
        progressTimer.unref();
      },
      stop: async () => {
        clearInterval(progressTimer);
        publishList.cancel();
        await Promise.all([transfers.stop(), handed.stop()]);
      },
    },
  );
}

function handedPaths(): PathwiseError {
  return new PathwiseError(
    'E_UNSUPPORTED',
    'This download was started by "pathwise get" and keeps the paths its command named; run the command again with other --paths.',
  );
}
