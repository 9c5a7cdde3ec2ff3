import { REPO_ROOT } from './cli.ts';
import { NetLab, SERVER_ADDRESS } from './netns.ts';

/**
 * Starts `test/support/rangeServer.ts` in the lab's server namespace on SERVER_ADDRESS:8080 with
 * `size` deterministic bytes (`deterministicContent(size, seed)`) and waits until it listens.
 */
export async function startLabRangeServer(lab: NetLab, size: number, seed: number): Promise<void> {
  const server = lab.spawnIn(
    'server',
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      'test/support/rangeServer.ts',
      ...['--host', SERVER_ADDRESS, '--port', '8080', '--size', String(size), '--seed', String(seed)],
    ],
    { cwd: REPO_ROOT },
  );
  await new Promise((resolve, reject) => {
    server.stdout?.once('data', resolve);
    server.once('exit', (code) => reject(new Error(`range server exited ${code}`)));
  });
}
