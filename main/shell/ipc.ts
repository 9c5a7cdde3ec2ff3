import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { invokeChannels } from '../../common/contract.ts';
import { PathwiseError, wireError } from '../../common/errors.ts';
import type { Handlers, PathwiseService } from '../core/PathwiseService.ts';

/** Serialisable error so the renderer gets a code and a message, never a stack. */
function toWireError(error: unknown): Error {
  return new Error(JSON.stringify(wireError(error)));
}

/**
 * Registers one handler per contract channel. Every message must come from one of the app's
 * own windows (checked by webContents identity and the loaded URL), and its arguments are
 * validated against the contract before anything runs. `overrides` are channels the Electron
 * shell answers itself (e.g. transfers.reveal, which needs the OS file manager).
 */
export function registerIpc(
  ipcMain: IpcMain,
  service: PathwiseService,
  isTrustedSender: (sender: WebContents, frameUrl: string | undefined) => boolean,
  overrides: Partial<Handlers> = {},
): () => void {
  for (const channel of invokeChannels) {
    const override = overrides[channel];
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      if (!isTrustedSender(event.sender, event.senderFrame?.url)) {
        throw toWireError(
          new PathwiseError('E_UNTRUSTED_SENDER', 'Request from an untrusted sender was refused.'),
        );
      }
      try {
        return await service.invoke(channel, args, override);
      } catch (error) {
        throw toWireError(error);
      }
    });
  }
  return () => {
    for (const channel of invokeChannels) ipcMain.removeHandler(channel);
  };
}
