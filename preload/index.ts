/**
 * The renderer's only door to the system: `window.pathwise.invoke(channel, …args)` and
 * `.on(channel, listener)`, typed by the contract (`PathwiseApi`) and refusing any channel the
 * contract does not list; never raw ipcRenderer. Runs sandboxed with context isolation. The main
 * process checks the sender and validates every message again (main/shell/ipc.ts).
 */
import { contextBridge, ipcRenderer } from 'electron';
import {
  eventChannels,
  invokeChannels,
  type EventChannel,
  type InvokeChannel,
  type PathwiseApi,
} from '../common/contract.ts';

const allowedInvoke = new Set<string>(invokeChannels);
const allowedEvents = new Set<string>(eventChannels);

function unwrapError(error: unknown): Error {
  const text = error instanceof Error ? error.message : String(error);
  // Electron prefixes "Error invoking remote method 'x': Error: " to the JSON we threw.
  const json = text.slice(text.indexOf('{'));
  try {
    const parsed = JSON.parse(json) as { code: string; message: string };
    return Object.assign(new Error(parsed.message), { code: parsed.code });
  } catch {
    return new Error(text);
  }
}

const api: PathwiseApi = {
  async invoke(channel: InvokeChannel, ...args: unknown[]) {
    if (!allowedInvoke.has(channel)) throw new Error(`Unknown request "${channel}".`);
    try {
      return await ipcRenderer.invoke(channel, ...args);
    } catch (error) {
      throw unwrapError(error);
    }
  },
  on(channel: EventChannel, listener: (payload: unknown) => void) {
    if (!allowedEvents.has(channel)) throw new Error(`Unknown event "${channel}".`);
    const wrapped = (_event: unknown, payload: unknown): void => listener(payload);
    ipcRenderer.on(`event:${channel}`, wrapped);
    return () => void ipcRenderer.removeListener(`event:${channel}`, wrapped);
  },
} as PathwiseApi;

contextBridge.exposeInMainWorld('pathwise', api);
