import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** What systeminformation adds about one interface. */
export interface InterfaceDetails {
  name: string;
  /** systeminformation's operstate ('up', 'down', 'unknown'). */
  operstate: string | undefined;
  /** 'wireless' | 'wired' | 'virtual' | 'unknown' as systeminformation sees it. */
  kind: string | undefined;
  virtual: boolean;
  internal: boolean;
  isDefault: boolean;
  speedMbps: number | null;
  mtu: number | undefined;
  mac: string | undefined;
  ssid: string | null;
  signalDbm: number | null;
}

export interface InterfaceStats {
  name: string;
  operstate: string | undefined;
  rxBytes: number;
  txBytes: number;
}

/**
 * systeminformation runs `execSync` (sh, cat, iw, nmcli…) for every interface: on Linux about
 * 0.05–0.6 s of a blocked event loop per call. The Electron main process also carries transfers
 * and IPC, so those calls run in a worker thread and the main thread only awaits a message.
 * The worker is plain CommonJS given as source text, so it works the same from the TypeScript
 * sources (CLI, tests) and from electron-vite's bundle.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const si = require(workerData.siPath);
parentPort.on('message', async ({ id, call }) => {
  try {
    let value;
    if (call === 'details') {
      const [ifaces, wifi] = await Promise.all([si.networkInterfaces(), si.wifiConnections()]);
      value = { ifaces, wifi };
    } else if (call === 'stats') {
      value = await si.networkStats('*');
    } else {
      throw new Error('unknown call ' + call);
    }
    parentPort.postMessage({ id, ok: true, value });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: String(error && error.message || error) });
  }
});
`;

interface SiInterface {
  iface: string;
  operstate?: string;
  type?: string;
  virtual?: boolean;
  internal?: boolean;
  default?: boolean;
  speed?: number | null;
  mtu?: number | string;
  mac?: string;
}
interface SiWifi {
  iface: string;
  ssid?: string | null;
  signalLevel?: number | null;
}
interface SiStats {
  iface: string;
  operstate?: string;
  rx_bytes?: number;
  tx_bytes?: number;
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export class SystemDetails {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const siPath = createRequire(import.meta.url).resolve('systeminformation');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { siPath } });
    worker.unref();
    worker.on('message', (message: { id: number; ok: boolean; value?: unknown; error?: string }) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      if (message.ok) pending.resolve(message.value);
      else pending.reject(new Error(message.error));
    });
    const fail = (error: Error): void => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
      if (this.worker === worker) this.worker = undefined;
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('systeminformation worker exited')));
    this.worker = worker;
    return worker;
  }

  private call(call: 'details' | 'stats'): Promise<unknown> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Keep the process alive while a call is out (the CLI may have nothing else pending).
      worker.ref();
      worker.postMessage({ id, call });
    });
  }

  /** Speed, SSID, signal and systeminformation's view of every interface. */
  async details(): Promise<Map<string, InterfaceDetails>> {
    const { ifaces, wifi } = (await this.call('details')) as { ifaces: SiInterface[]; wifi: SiWifi[] };
    const result = new Map<string, InterfaceDetails>();
    for (const i of Array.isArray(ifaces) ? ifaces : []) {
      const w = wifi.find((c) => c.iface === i.iface);
      const mtu = Number(i.mtu);
      result.set(i.iface, {
        name: i.iface,
        operstate: i.operstate || undefined,
        kind: i.type || undefined,
        virtual: Boolean(i.virtual),
        internal: Boolean(i.internal),
        isDefault: Boolean(i.default),
        speedMbps: typeof i.speed === 'number' && i.speed > 0 ? i.speed : null,
        mtu: Number.isFinite(mtu) && mtu > 0 ? mtu : undefined,
        mac: i.mac || undefined,
        ssid: w?.ssid || null,
        signalDbm: typeof w?.signalLevel === 'number' ? w.signalLevel : null,
      });
    }
    for (const w of wifi) {
      if (!result.has(w.iface)) {
        result.set(w.iface, {
          name: w.iface,
          operstate: undefined,
          kind: 'wireless',
          virtual: false,
          internal: false,
          isDefault: false,
          speedMbps: null,
          mtu: undefined,
          mac: undefined,
          ssid: w.ssid || null,
          signalDbm: typeof w.signalLevel === 'number' ? w.signalLevel : null,
        });
      }
    }
    return result;
  }

  /** OS byte counters where there is no /proc/net/dev (macOS, Windows). */
  async stats(): Promise<Map<string, InterfaceStats>> {
    const stats = (await this.call('stats')) as SiStats[];
    const result = new Map<string, InterfaceStats>();
    for (const s of Array.isArray(stats) ? stats : []) {
      result.set(s.iface, {
        name: s.iface,
        operstate: s.operstate || undefined,
        rxBytes: s.rx_bytes ?? 0,
        txBytes: s.tx_bytes ?? 0,
      });
    }
    return result;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
