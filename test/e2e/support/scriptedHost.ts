/**
 * The real headless host and the real built renderer, in front of a core whose handlers answer
 * from the scripted scenario (test/renderer/scenario.ts). It lets the e2e tests photograph every
 * view full of realistic data before the engine and ledger exist, and exercises the real wire:
 * HTTP, token cookie, WebSocket, contract validation on every request and push.
 */
import { invokeChannels, type InvokeChannel } from '../../../common/contract.ts';
import { PathwiseService, type Handlers } from '../../../main/core/PathwiseService.ts';
import { HeadlessHost } from '../../../main/host/HeadlessHost.ts';
import { RENDERER_DIR } from '../../../main/cli/serve.ts';
import { FakeApi } from '../../renderer/fakeApi.ts';
import { throughputSamples } from '../../renderer/scenario.ts';

export interface ScriptedHost {
  url: string;
  origin: string;
  service: PathwiseService;
  fake: ReturnType<typeof FakeApi.withScenario>;
  /** Push the last `seconds` of throughput samples, as if the dashboard had been open that long. */
  pushHistory(seconds: number): void;
  close(): Promise<void>;
}

export async function startScriptedHost(now: number = Date.now()): Promise<ScriptedHost> {
  const fake = FakeApi.withScenario(now, 'headless');
  const service = new PathwiseService({ shell: 'headless' });
  const handlers: Partial<Handlers> = {};
  for (const channel of invokeChannels) {
    (handlers as Record<InvokeChannel, unknown>)[channel] = async (...args: unknown[]) =>
      (fake.invoke as (c: InvokeChannel, ...a: unknown[]) => Promise<unknown>)(channel, ...args);
  }
  service.register(handlers);
  await service.start();
  const host = new HeadlessHost({ service, rootDir: RENDERER_DIR });
  const url = await host.listen();
  return {
    url,
    origin: new URL(url).origin,
    service,
    fake,
    pushHistory(seconds) {
      for (const sample of throughputSamples(Date.now(), seconds)) service.publish('throughput', sample);
    },
    async close() {
      await host.close();
      await service.stop();
    },
  };
}
