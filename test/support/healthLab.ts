/**
 * A laptop-shaped lab for the health verdict (issue 23), shared by test/net/health*.test.ts and
 * bench/monitor.ts: wlan0 and eth0 at 40 Mbit, wwan0 (cellular, metered) at 20 Mbit, usb0 (a
 * phone) behind a captive portal that redirects every probe to a sign-in page; a 204 probe
 * endpoint and a range server on the lab's "internet". `HealthApp` runs the app's core in the
 * client namespace (test/support/healthApp.ts) and follows what it pushes.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { ContinuityEvent, PathEvent, PathState, Settings, TransferInfo } from '../../common/contract.ts';
import { REPO_ROOT, testEnv } from './cli.ts';
import { startLabRangeServer } from './labServer.ts';
import { LineReader } from './lines.ts';
import { NetLab, SERVER_ADDRESS } from './netns.ts';

const HEALTH_APP = fileURLToPath(new URL('./healthApp.ts', import.meta.url));
const PROBE_SERVER = fileURLToPath(new URL('./probeServer.ts', import.meta.url));
export const PROBE_URL = `http://${SERVER_ADDRESS}:8204/generate_204`;
export const FILE_URL = `http://${SERVER_ADDRESS}:8080/file.bin`;
/** Big enough to run ~10 s on one 40 Mbit path: an outage and the recovery happen mid-download. */
export const FILE_SIZE = 64_000_000;

export async function createHealthLab(): Promise<NetLab> {
  const lab = await NetLab.create([
    { name: 'wlan0', downMbit: 40 },
    { name: 'eth0', downMbit: 40 },
    { name: 'wwan0', downMbit: 20 },
    { name: 'usb0' },
  ]);
  try {
    await lab.inClient(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
    // usb0 is 198.18.4.x: every probe from it is redirected to the portal's sign-in page.
    const probes = lab.spawnIn('server', process.execPath, [
      PROBE_SERVER,
      SERVER_ADDRESS,
      '8204',
      JSON.stringify({ '198.18.4.': 'redirect' }),
    ]);
    await new LineReader(probes.stdout).waitFor((l) => l === 'ready');
    await startLabRangeServer(lab, FILE_SIZE, 23);
  } catch (error) {
    await lab.destroy();
    throw error;
  }
  return lab;
}

/**
 * A Wi-Fi that weakens: `name`'s downlink falls to `mbit`, with the deep queue a weak Wi-Fi's
 * access point has (2 s of traffic), so packets queue up rather than drop. (NetLab.shape keeps
 * 50 ms, which at 1 Mbit drops most of what a 40 Mbit flow has in flight: a stall, not a weak path.)
 */
export async function weaken(lab: NetLab, name: string, mbit: number): Promise<void> {
  const dev = lab.path(name).serverIf;
  // A burst above the 64 KiB GSO packets already queued at 40 Mbit, or tbf could never send them.
  const burst = Math.max(72 * 1024, Math.round((mbit * 1e6) / 8 / 100));
  await lab.inServer([
    'tc',
    'qdisc',
    'change',
    'dev',
    dev,
    'root',
    'tbf',
    'rate',
    `${mbit}mbit`,
    'burst',
    String(burst),
    'latency',
    '2s',
  ]);
}

/** A line the app printed: a push (`ev` names its channel) with `t`, the app's clock. */
export type AppLine = { ev: string; t: number } & Record<string, unknown>;

/** The app's core in the client namespace: what it pushes, and commands to it. */
export class HealthApp {
  readonly out: LineReader;
  private readonly child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.child = child;
    this.out = new LineReader(child.stdout);
  }

  static async start(lab: NetLab, settings: Partial<Settings>): Promise<HealthApp> {
    const dataDir = await mkdtemp(join(tmpdir(), 'pw-health-'));
    const child = lab.spawnIn(
      'client',
      process.execPath,
      ['--disable-warning=ExperimentalWarning', HEALTH_APP, dataDir, JSON.stringify(settings)],
      { cwd: REPO_ROOT, env: testEnv({ PATHWISE_PROBE_URL: PROBE_URL, PATHWISE_DATA_DIR: dataDir }) },
    );
    const app = new HealthApp(child);
    await app.out.waitFor((l) => l.includes('"ev":"ready"'), 60_000);
    return app;
  }

  get mark(): number {
    return this.out.lines.length;
  }

  send(command: object): void {
    this.child.stdin?.write(`${JSON.stringify(command)}\n`);
  }

  lines(from = 0): AppLine[] {
    return this.out.json<AppLine>(from);
  }

  /** The health-changed push that puts `name` in `state` (from line `from` on). */
  async state(
    name: string,
    state: PathState,
    from: number,
    timeoutMs = 60_000,
  ): Promise<PathEvent & AppLine> {
    const line = await this.out.waitFor(
      (l) =>
        l.includes('"ev":"pathEvent"') && l.includes(`"name":"${name}"`) && l.includes(`"state":"${state}"`),
      timeoutMs,
      from,
    );
    return JSON.parse(line) as PathEvent & AppLine;
  }

  /** `name`'s health changes from line `from` on, as state words. */
  states(name: string, from = 0): PathState[] {
    return this.lines(from)
      .filter((l) => l.ev === 'pathEvent' && l['name'] === name && l['type'] === 'health-changed')
      .map((l) => l['state'] as PathState);
  }

  async continuity(
    match: (e: ContinuityEvent) => boolean,
    from: number,
    timeoutMs = 60_000,
  ): Promise<ContinuityEvent & AppLine> {
    const line = await this.out.waitFor(
      (l) => l.includes('"ev":"continuity"') && match(JSON.parse(l) as ContinuityEvent),
      timeoutMs,
      from,
    );
    return JSON.parse(line) as ContinuityEvent & AppLine;
  }

  /** Starts a download; resolves with its id. */
  async download(request: { mode: string; paths?: string[] }): Promise<string> {
    const from = this.mark;
    this.send({ cmd: 'start', url: FILE_URL, ...request });
    const line = await this.out.waitFor(
      (l) => l.includes('"ev":"started"') || l.includes('"ev":"result"'),
      30_000,
      from,
    );
    const parsed = JSON.parse(line) as { id?: string; error?: unknown };
    if (!parsed.id) throw new Error(`the download did not start: ${line}`);
    return parsed.id;
  }

  /** The transfer as the latest push has it. */
  transfer(id: string): TransferInfo | undefined {
    const pushes = this.lines().filter((l) => l.ev === 'transfers');
    const list = pushes.at(-1)?.['list'] as TransferInfo[] | undefined;
    return list?.find((t) => t.id === id);
  }

  /** Waits until the pushed transfer satisfies `check`. */
  async until(id: string, check: (t: TransferInfo) => boolean, timeoutMs = 90_000): Promise<TransferInfo> {
    const line = await this.out.waitFor((l) => {
      if (!l.includes('"ev":"transfers"')) return false;
      const t = ((JSON.parse(l) as { list: TransferInfo[] }).list ?? []).find((x) => x.id === id);
      return t !== undefined && check(t);
    }, timeoutMs);
    return (JSON.parse(line) as { list: TransferInfo[] }).list.find((x) => x.id === id) as TransferInfo;
  }

  /** When (the app's clock) the pushes last showed `path`'s bytes growing for `id`, up to line `before`. */
  lastByteAt(id: string, path: string, before: number): number | null {
    let bytes = -1;
    let at: number | null = null;
    for (const line of this.lines().slice(0, before)) {
      if (line.ev !== 'transfers') continue;
      const t = (line['list'] as TransferInfo[]).find((x) => x.id === id);
      const now = t?.paths[path]?.bytes ?? 0;
      if (now > bytes) {
        bytes = now;
        at = line.t;
      }
    }
    return at;
  }

  async invoke(
    channel: string,
    args: unknown[],
  ): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }> {
    const from = this.mark;
    this.send({ cmd: 'invoke', channel, args });
    return JSON.parse(await this.out.waitFor((l) => l.includes('"ev":"result"'), 30_000, from)) as {
      ok: boolean;
      value?: unknown;
      error?: { code: string };
    };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.send({ cmd: 'quit' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Median and worst of some measurements, for the printed figures. */
export function medianWorst(values: readonly number[]): { median: number; worst: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
  return { median, worst: sorted.at(-1) ?? NaN };
}
