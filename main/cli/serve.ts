import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PathwiseError } from '../../common/errors.ts';
import { createPathwise } from '../core/createPathwise.ts';
import { attachHandoff } from '../host/HandoffServer.ts';
import { HeadlessHost, isLoopback } from '../host/HeadlessHost.ts';
import type { CliIo } from './io.ts';

export const RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url));

export interface ServeOptions {
  host: string;
  port: number;
  dataDir?: string;
  /** `--allow-remote`: the user means to serve on an address other machines can reach. */
  allowRemote?: boolean;
}

/**
 * A `--host` other machines can reach is refused unless `--allow-remote` says the user means it;
 * when it does, a warning says what that exposes. Loopback needs neither.
 */
export function checkServeHost(options: ServeOptions, io: CliIo): void {
  if (isLoopback(options.host)) return;
  if (!options.allowRemote) {
    throw new PathwiseError(
      'E_USAGE',
      `--host ${options.host} would let other machines reach the dashboard, which can start downloads and change settings. ` +
        'Add --allow-remote if you mean it, or leave --host out to serve on 127.0.0.1 only.',
    );
  }
  io.stderr.write(
    `pathwise: warning: serving on ${options.host} (--allow-remote): anyone who can reach this address and learns the token ` +
      'controls Pathwise, and the token travels over plain HTTP. Prefer 127.0.0.1 with an SSH tunnel.\n',
  );
}

export async function runServe(options: ServeOptions, io: CliIo): Promise<number> {
  checkServeHost(options, io);
  if (!existsSync(`${RENDERER_DIR}/index.html`)) {
    throw new PathwiseError('E_NOT_BUILT', 'The dashboard is not built yet: run "npm run build" first.');
  }
  const pathwise = await createPathwise({ shell: 'headless', dataDir: options.dataDir });
  const { service, warnings } = pathwise;
  for (const warning of warnings) io.stderr.write(`pathwise: ${warning}\n`);
  // `pathwise get` and `pathwise transfers` on this machine reach this core (a local socket).
  attachHandoff(pathwise, (warning) => io.stderr.write(`pathwise: ${warning}\n`));
  await service.start();
  const host = new HeadlessHost({
    service,
    rootDir: RENDERER_DIR,
    host: options.host,
    port: options.port,
    allowRemote: options.allowRemote === true,
  });
  const url = await host.listen();
  io.stdout.write(`Pathwise dashboard: ${url}\n`);
  await new Promise<void>((resolve) => {
    const shutdown = (): void => {
      void host
        .close()
        .then(() => service.stop())
        .then(resolve);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  return 0;
}
