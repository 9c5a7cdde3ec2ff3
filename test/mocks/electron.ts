/**
 * A small fake of the `electron` module so shell code runs under plain Node (the real module
 * tries to download the Electron binary when required outside Electron).
 */
import { EventEmitter } from 'node:events';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What Electron does when a renderer calls ipcRenderer.invoke. */
  async invokeFrom(sender: unknown, frameUrl: string, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ sender, senderFrame: { url: frameUrl } }, ...args);
  }
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  permissionHandler: ((wc: unknown, permission: string, callback: (ok: boolean) => void) => void) | undefined;
  readonly session = {
    setPermissionRequestHandler: (handler: FakeWebContents['permissionHandler']) => {
      this.permissionHandler = handler;
    },
  };
  setWindowOpenHandler(handler: FakeWebContents['windowOpenHandler']): void {
    this.windowOpenHandler = handler;
  }
}

export const ipcMain = new FakeIpcMain();
export const app = new EventEmitter();
export const shell = {
  opened: [] as string[],
  openExternal: async (url: string) => void shell.opened.push(url),
};
export default { ipcMain, app, shell };
