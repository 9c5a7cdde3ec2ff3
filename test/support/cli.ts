import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PATHWISE_BIN = `${REPO_ROOT}bin/pathwise`;

/** PATH as a user's shell has it, without node_modules/.bin: proves bin/pathwise finds its own Node. */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The environment every test gives Pathwise: a throwaway data folder, and a health-probe URL on
 * loopback's discard port so no test ever probes the real internet.
 */
export function testEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const dataDir = mkdtempSync(join(tmpdir(), 'pw-data-'));
  return {
    ...process.env,
    PATH: SYSTEM_PATH,
    PATHWISE_DATA_DIR: dataDir,
    // Downloads started by a test never land in the real ~/Downloads.
    XDG_DOWNLOAD_DIR: join(dataDir, 'downloads'),
    PATHWISE_PROBE_URL: 'http://127.0.0.1:9/generate_204',
    ...extra,
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runPathwise(
  args: string[],
  options: { netns?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  const [command, argv] = options.netns
    ? ['ip', ['netns', 'exec', options.netns, PATHWISE_BIN, ...args]]
    : [PATHWISE_BIN, args];
  return new Promise((resolve) => {
    execFile(
      command as string,
      argv as string[],
      {
        env: testEnv(options.env),
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 << 20,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
