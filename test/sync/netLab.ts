/**
 * A two-path namespace lab with a WebDAV server for sync tests and the sync bench: the client
 * "laptop" with wlan0 and wwan0 (test/support/netns.ts), `rclone serve webdav` in the server
 * namespace behind the fault proxy (test/support/davFaults.ts) on SERVER_ADDRESS:8080, and
 * `pathwise` run in the client namespace as a user runs it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunOutcome } from '../../main/sync/SyncRunner.ts';
import { PATHWISE_BIN, REPO_ROOT, runPathwise, testEnv, type CliResult } from '../support/cli.ts';
import { NetLab, SERVER_ADDRESS, type LabPathSpec } from '../support/netns.ts';

export const LAB_PASSWORD = 'net-lab-secret-7';
export const DAV = `http://${SERVER_ADDRESS}:8080`;

export interface SyncNetLab {
  lab: NetLab;
  /** The folder rclone serves; the jobs sync with `served/<folder>`. */
  served: string;
  base: string;
  dataDir: string;
  rules: string;
  env: NodeJS.ProcessEnv;
  pathwise: (args: string[], timeoutMs?: number) => Promise<CliResult>;
  /** `sync run NAME --json`, with the outcome its last line reports. */
  run: (name: string, ...more: string[]) => Promise<CliResult & { outcome: RunOutcome | null }>;
  /** `sync run NAME --json` as a child process in the client namespace (to be cut or killed). */
  spawnRun: (name: string) => ChildProcess;
  destroy: () => Promise<void>;
}

/** Waits for a child to end; its exit code (null when a signal ended it). */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null
      ? resolve(child.exitCode)
      : child.once('exit', (code) => resolve(code)),
  );
}

export function lastJson(stdout: string): RunOutcome | null {
  const last = stdout.trim().split('\n').pop() ?? '';
  return last.startsWith('{') ? (JSON.parse(last) as RunOutcome) : null;
}

export interface SyncNetLabOptions {
  /**
   * rclone answers on SERVER_ADDRESS:8080 itself, no fault proxy between (the bench: no third
   * process on the data's way), and a small server answers the health probe on :8082.
   */
  direct?: boolean;
  /** Where the lab's folders go (default the system's temp folder; the bench uses /dev/shm). */
  under?: string;
}

export async function syncNetLab(specs: LabPathSpec[], options: SyncNetLabOptions = {}): Promise<SyncNetLab> {
  const base = mkdtempSync(join(options.under ?? tmpdir(), 'pw-sync-net-'));
  const served = join(base, 'served');
  const dataDir = join(base, 'data');
  const rules = join(base, 'rules.json');
  mkdirSync(served, { recursive: true });
  writeFileSync(rules, '[]');
  const env = {
    PATHWISE_DATA_DIR: dataDir,
    PATHWISE_PROBE_URL: options.direct ? `http://${SERVER_ADDRESS}:8082/generate_204` : `${DAV}/generate_204`,
    PATHWISE_SYNC_QUIET_MS: '200',
    PW_SYNC_PASSWORD: LAB_PASSWORD,
  };
  const lab = await NetLab.create(specs);
  try {
    if (options.direct) await startDirect(lab, served);
    else await startServer(lab, served, rules);
  } catch (error) {
    await lab.destroy();
    throw error;
  }
  const pathwise = (args: string[], timeoutMs = 120_000): Promise<CliResult> =>
    runPathwise(args, { netns: lab.client, env, timeoutMs });
  return {
    lab,
    served,
    base,
    dataDir,
    rules,
    env,
    pathwise,
    run: async (name, ...more) => {
      const result = await pathwise(['sync', 'run', name, '--json', ...more]);
      return { ...result, outcome: lastJson(result.stdout) };
    },
    spawnRun: (name) =>
      lab.spawnIn('client', PATHWISE_BIN, ['sync', 'run', name, '--json'], { env: testEnv(env) }),
    destroy: async () => {
      await lab.destroy();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

async function startServer(lab: NetLab, served: string, rules: string): Promise<void> {
  const rclone = lab.spawnIn('server', 'rclone', [
    ...['serve', 'webdav', served, '--addr', '127.0.0.1:8081', '--dir-cache-time', '0s'],
    ...['--user', 'alice', '--pass', LAB_PASSWORD],
  ]);
  rclone.stderr?.resume();
  const proxy = lab.spawnIn(
    'server',
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      'test/support/davFaults.ts',
      ...[SERVER_ADDRESS, '8080', '127.0.0.1', '8081', rules],
    ],
    { cwd: REPO_ROOT },
  );
  await new Promise((resolve, reject) => {
    proxy.stdout?.once('data', resolve);
    proxy.once('exit', (code) => reject(new Error(`fault proxy exited ${code}`)));
  });
  await untilUnauthorized(lab);
}

/** rclone is up once it answers (401: it wants the login) at DAV. */
async function untilUnauthorized(lab: NetLab): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const probe = await lab
      .inServer(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `${DAV}/`])
      .catch(() => '');
    if (probe === '401') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('rclone serve webdav did not answer in the lab');
}

async function startDirect(lab: NetLab, served: string): Promise<void> {
  const rclone = lab.spawnIn('server', 'rclone', [
    ...['serve', 'webdav', served, '--addr', `${SERVER_ADDRESS}:8080`, '--dir-cache-time', '0s'],
    ...['--user', 'alice', '--pass', LAB_PASSWORD],
  ]);
  rclone.stderr?.resume();
  const probe = lab.spawnIn('server', process.execPath, [
    '-e',
    `require('http').createServer((q, s) => s.writeHead(204).end()).listen(8082, '${SERVER_ADDRESS}', () => console.log('ready'))`,
  ]);
  await new Promise((resolve, reject) => {
    probe.stdout?.once('data', resolve);
    probe.once('exit', (code) => reject(new Error(`probe server exited ${code}`)));
  });
  await untilUnauthorized(lab);
}

/** `sync add NAME` for `served/<folder>` over both lab paths, the password from the environment. */
export async function addJob(
  l: SyncNetLab,
  name: string,
  local: string,
  folder: string,
  more: string[] = [],
) {
  mkdirSync(join(l.served, folder), { recursive: true });
  return l.pathwise([
    ...['sync', 'add', name, '--local', local, '--remote', `${DAV}/${folder}/`, '--user', 'alice'],
    ...['--password-env', 'PW_SYNC_PASSWORD', ...more],
  ]);
}

/** The largest download in the sync's incoming folder: bytes its journal says are on disk. */
export function incomingBytes(local: string): number {
  const incoming = join(local, '.pathwise-sync', 'incoming');
  let names: string[];
  try {
    names = readdirSync(incoming).filter((n) => n.endsWith('.part.json'));
  } catch {
    return 0;
  }
  const recorded = (name: string): number => {
    try {
      const state = JSON.parse(readFileSync(join(incoming, name), 'utf8')) as {
        done: Array<[number, number]>;
      };
      return state.done.reduce((sum, [from, to]) => sum + (to - from), 0);
    } catch {
      return 0;
    }
  };
  return Math.max(0, ...names.map(recorded));
}

/** Resolves once `test` holds, looking every 50 ms; fails if `child` ends first. */
export async function waitFor(test: () => boolean | Promise<boolean>, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the run ended (${child.exitCode}) before the moment came`);
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
