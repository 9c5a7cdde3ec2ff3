/**
 * Downloads one URL through a path-bound undici Agent and prints one JSON line: the binding mode,
 * the payload bytes, what PathVerifier made of them, or the error code. Network tests run it
 * inside a lab's client namespace (`lab.spawnIn('client', process.execPath, [script, spec])`).
 *
 *   spec: {"url":"http://198.19.0.1:8080/","device":"wwan0","localAddress":"198.18.2.2","timeoutMs":10000}
 */
import { Agent, request } from 'undici';
import { createBoundConnect } from '../../main/network/boundConnect.ts';
import { PathVerifier } from '../../main/engine/PathVerifier.ts';

interface ClientSpec {
  url: string;
  device: string;
  localAddress?: string;
  timeoutMs?: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as ClientSpec;
const bound = createBoundConnect({
  device: spec.device,
  localAddress: spec.localAddress ?? null,
  timeoutMs: spec.timeoutMs ?? 10_000,
});
let connectMs = -1;
const timed: typeof bound = Object.assign(
  (opts: Parameters<typeof bound>[0], callback: Parameters<typeof bound>[1]) => {
    const started = performance.now();
    bound(opts, (error, socket) => {
      connectMs = performance.now() - started;
      if (error) callback(error, null);
      else callback(null, socket as NonNullable<typeof socket>);
    });
  },
  { device: bound.device, localAddress: bound.localAddress, mode: bound.mode, reason: bound.reason },
);

const verifier = new PathVerifier();
await verifier.track(spec.device, spec.device);
const agent = new Agent({ connect: timed });
const base = { mode: bound.mode, reason: bound.reason };
try {
  const res = await request(spec.url, { dispatcher: agent });
  let bytes = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    verifier.record(spec.device, chunk.length);
  }
  const [verification] = await verifier.check();
  console.log(JSON.stringify({ ...base, ok: true, status: res.statusCode, bytes, connectMs, verification }));
} catch (error) {
  const e = error as { code?: string; message?: string };
  console.log(
    JSON.stringify({ ...base, ok: false, code: e.code ?? null, message: e.message ?? String(error) }),
  );
} finally {
  await agent.destroy();
}
