import type { BudgetProvider } from '../base/budget.ts';
import { PathwiseError } from '../../common/errors.ts';
import type { BoundPaths, PathBinder } from '../engine/PathBinder.ts';
import { PathLimits } from '../engine/PathLimits.ts';
import { TransferManager } from '../engine/TransferManager.ts';
import type { AppRateMeter } from '../monitor/AppRateMeter.ts';
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
}

/**
 * Builds the engine on the bound paths and carries its downloads to the UI: the list (throttled),
 * continuity events, and the payload bytes the chart and the binding check count.
 */
export function wireEngine({
  service,
  settings,
  paths,
  binder,
  appRates,
  budget,
}: EngineParts): TransferManager {
  const transfers = new TransferManager({
    paths,
    agentFactory: binder.agentFactory,
    settings: () => settings.get(),
    limits: new PathLimits(budget),
  });
  const publishList = throttlePublish(() => service.publish('transfers', transfers.list()), PROGRESS_MS);
  transfers.on('changed', publishList.request);
  transfers.on('continuity', (event) => service.publish('continuity', event));
  transfers.on('bytes', (event) => {
    appRates.record(event);
    binder.record(event.path, event.bytes);
  });
  serveTransfers(service, transfers, binder, publishList);
  return transfers;
}

/** The transfers as the contract asks for them, and the progress tick while the core runs. */
function serveTransfers(
  service: PathwiseService,
  transfers: TransferManager,
  binder: PathBinder,
  publishList: PublishThrottle,
): void {
  let progressTimer: NodeJS.Timeout | undefined;
  service.register(
    {
      'transfers.list': async () => transfers.list(),
      'transfers.start': async (request) => transfers.start(request),
      'transfers.pause': async (id) => transfers.pause(id),
      'transfers.resume': async (id) => transfers.resume(id),
      'transfers.cancel': async (id) => transfers.cancel(id),
      'transfers.pauseAll': async () => transfers.pauseAll(),
      'transfers.resumeAll': async () => transfers.resumeAll(),
      // The desktop shell answers this itself (it can open the file manager); elsewhere nothing can.
      'transfers.reveal': async () => {
        throw new PathwiseError(
          'E_UNSUPPORTED',
          'Showing a download in the file manager needs the desktop app; the file is in your download folder.',
        );
      },
      'continuity.list': async () => transfers.continuity(),
    },
    {
      start: () => {
        let ticks = 0;
        progressTimer = setInterval(() => {
          if (!transfers.running) return;
          publishList.request();
          // Each second, check the engine's bytes against the interfaces' own counters.
          if (++ticks % TICKS_PER_CHECK === 0) void binder.check().catch(() => undefined);
        }, PROGRESS_MS);
        progressTimer.unref();
      },
      stop: async () => {
        clearInterval(progressTimer);
        publishList.cancel();
        await transfers.stop();
      },
    },
  );
}
