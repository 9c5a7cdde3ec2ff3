import { createPathwise, type Pathwise } from '../../main/core/createPathwise.ts';
import { attachHandoff } from '../../main/host/HandoffServer.ts';

/**
 * The app's core running in this test's process with its socket for command lines, as `pathwise
 * serve` runs it: a `pathwise get`, `watch` or `transfers` with this data home reaches it. Its
 * probes go nowhere (port 9 on loopback) and its link poll is slow; stop it with
 * `app.service.stop()`.
 */
export async function startRunningApp(
  dataDir: string,
  warn: (message: string) => void = () => undefined,
): Promise<Pathwise> {
  const app = await createPathwise({
    shell: 'headless',
    dataDir,
    env: { PATHWISE_PROBE_URL: 'http://127.0.0.1:9/' },
    monitor: { pollIntervalMs: 60_000 },
  });
  attachHandoff(app, warn);
  await app.service.start();
  return app;
}
