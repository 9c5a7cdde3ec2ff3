import type { ChildProcess } from 'node:child_process';
import { REPO_ROOT } from './cli.ts';
import { NetLab, SERVER_ADDRESS } from './netns.ts';

/**
 * Starts `test/support/rangeServer.ts` in the lab's server namespace on SERVER_ADDRESS:`port`
 * (8080 unless told) with `size` deterministic bytes (`deterministicContent(size, seed)`), waits
 * until it listens, and returns its process (a test may kill it: a server that dies).
 */
export async function startLabRangeServer(
  lab: NetLab,
  size: number,
  seed: number,
  port = 8080,
): Promise<ChildProcess> {
  const server = lab.spawnIn(
    'server',
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      'test/support/rangeServer.ts',
      ...['--host', SERVER_ADDRESS, '--port', String(port), '--size', String(size), '--seed', String(seed)],
    ],
    { cwd: REPO_ROOT },
  );
  await new Promise((resolve, reject) => {
    server.stdout?.once('data', resolve);
    server.once('exit', (code) => reject(new Error(`range server exited ${code}`)));
  });
  return server;
}
