import { shell, type IpcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { invokeChannels, type InvokeResult } from '../../common/contract.ts';
import { PathwiseError, wireError } from '../../common/errors.ts';
import type { Handler, Handlers, PathwiseService } from '../core/PathwiseService.ts';
import { isSafeExternalUrl } from './security.ts';

/** A captive portal's sign-in page the OS browser may open: http(s), a host, no credentials. */
export function isPortalUrl(raw: string): boolean {
  return isSafeExternalUrl(raw, { http: true });
}

/**
 * `paths.openPortal` in the desktop app: the core names the sign-in page of the portal a path is
 * behind (from its own probe, never from the renderer), and the default browser opens it.
 */
export function createPortalHandler(
  service: PathwiseService,
  openExternal: (url: string) => Promise<void>,
): Handler<'paths.openPortal'> {
  return async (name) => {
    const { url } = (await service.invoke('paths.openPortal', [name])) as InvokeResult<'paths.openPortal'>;
    if (!isPortalUrl(url)) {
      throw new PathwiseError(
        'E_UNSUPPORTED',
        'The portal named a page Pathwise will not open; open a web page yourself.',
      );
    }
    await openExternal(url);
    return { url, opened: true };
  };
}

/** Serialisable error so the renderer gets a code and a message, never a stack. */
function toWireError(error: unknown): Error {
  return new Error(JSON.stringify(wireError(error)));
}

/**
 * Registers one handler per contract channel. Every message must come from one of the app's
 * own windows (checked by webContents identity and the loaded URL), and its arguments are
 * validated against the contract before anything runs. `overrides` are channels the Electron
 * shell answers itself (e.g. transfers.reveal, which needs the OS file manager); paths.openPortal
 * is always answered here (the default browser opens the portal's page).
 */
export function registerIpc(
  ipcMain: IpcMain,
  service: PathwiseService,
  isTrustedSender: (sender: WebContents, frameUrl: string | undefined) => boolean,
  overrides: Partial<Handlers> = {},
): () => void {
  const answered: Partial<Handlers> = {
    'paths.openPortal': createPortalHandler(service, async (url) => {
      if (isSafeExternalUrl(url, { http: true })) await shell.openExternal(url);
    }),
    ...overrides,
  };
  for (const channel of invokeChannels) {
    const override = answered[channel];
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
