import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { invokeChannels } from '../contract.ts';
import { errorCode, errorMessage } from '../core/errors.ts';
import type { PathwiseService } from '../core/PathwiseService.ts';

/** Serialisable error so the renderer gets a code and a message, never a stack. */
function toWireError(error: unknown): Error {
  return new Error(JSON.stringify({ code: errorCode(error), message: errorMessage(error) }));
}

/**
 * Registers one handler per contract channel. Every message must come from one of the app's
 * own windows (checked by webContents identity and the loaded URL), and its arguments are
 * validated by the service against the contract before anything runs.
 */
export function registerIpc(
  ipcMain: IpcMain,
  service: PathwiseService,
  isTrustedSender: (sender: WebContents, frameUrl: string | undefined) => boolean,
): () => void {
  for (const channel of invokeChannels) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      if (!isTrustedSender(event.sender, event.senderFrame?.url)) {
        throw toWireError(
          Object.assign(new Error('Request from an untrusted sender was refused.'), {
            code: 'E_UNTRUSTED_SENDER',
          }),
        );
      }
      try {
        return await service.invoke(channel, args);
      } catch (error) {
        throw toWireError(error);
      }
    });
  }
  return () => {
    for (const channel of invokeChannels) ipcMain.removeHandler(channel);
  };
}
