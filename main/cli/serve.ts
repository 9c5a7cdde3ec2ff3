import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PathwiseError } from '../../common/errors.ts';
import { createPathwise } from '../core/createPathwise.ts';
import { HeadlessHost } from '../host/HeadlessHost.ts';
import type { CliIo } from './io.ts';

export const RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url));

export async function runServe(
  options: { host: string; port: number; dataDir?: string },
  io: CliIo,
): Promise<number> {
  if (!existsSync(`${RENDERER_DIR}/index.html`)) {
    throw new PathwiseError('E_NOT_BUILT', 'The dashboard is not built yet: run "npm run build" first.');
  }
  const { service, warnings } = await createPathwise({ shell: 'headless', dataDir: options.dataDir });
  for (const warning of warnings) io.stderr.write(`pathwise: ${warning}\n`);
  await service.start();
  const host = new HeadlessHost({ service, rootDir: RENDERER_DIR, host: options.host, port: options.port });
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
