import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { invokeChannels, invokeContract, type InvokeChannel } from '../contract.ts';
import { errorCode, errorMessage, PathwiseError } from '../core/errors.ts';
import type { Handlers, PathwiseService } from '../core/PathwiseService.ts';

/** Serialisable error so the renderer gets a code and a message, never a stack. */
function toWireError(error: unknown): Error {
  return new Error(JSON.stringify({ code: errorCode(error), message: errorMessage(error) }));
}

/** Validate and run a shell-side handler exactly as the service runs its own. */
async function runOverride(channel: InvokeChannel, handler: unknown, args: unknown[]): Promise<unknown> {
  const spec = invokeContract[channel];
  const parsed = spec.args.safeParse(args);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) =>
      i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message,
    );
    throw new PathwiseError('E_BAD_REQUEST', `Invalid request "${channel}": ${issues.join('; ')}`);
  }
  const result = await (handler as (...a: unknown[]) => Promise<unknown>)(...(parsed.data as unknown[]));
  return spec.result.parse(result);
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
        return override ? await runOverride(channel, override, args) : await service.invoke(channel, args);
      } catch (error) {
        throw toWireError(error);
      }
    });
  }
  return () => {
    for (const channel of invokeChannels) ipcMain.removeHandler(channel);
  };
}
