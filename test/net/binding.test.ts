import { afterAll, beforeAll, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { PathVerification } from '../../main/engine/PathVerifier.ts';
import { NetLab, SERVER_ADDRESS } from '../support/netns.ts';
import { describeNeeding, netnsNeeds } from '../support/rootOnly.ts';

const CLIENT = fileURLToPath(new URL('../support/bindingClient.ts', import.meta.url));
const SIZE = 4_000_000;
const URL_ = `http://${SERVER_ADDRESS}:8080/`;

interface ClientResult {
  ok: boolean;
  mode: 'device' | 'address';
  reason: string | null;
  bytes?: number;
  connectMs?: number;
  verification?: PathVerification;
  code?: string | null;
  message?: string;
}

/** A server in the lab that answers every request with SIZE zero bytes. */
async function startZeroServer(lab: NetLab): Promise<void> {
  const server = lab.spawnIn('server', process.execPath, [
    '-e',
    `require('node:http').createServer((q,s)=>s.end(Buffer.alloc(${SIZE}))).listen(8080,'${SERVER_ADDRESS}',()=>console.log('ready'))`,
  ]);
  await new Promise((resolve) => server.stdout?.once('data', resolve));
}

/** Runs the binding client in the client namespace for one bound download; throws if it crashed. */
async function download(
  lab: NetLab,
  spec: { device: string; localAddress?: string; timeoutMs?: number },
  env: NodeJS.ProcessEnv = {},
): Promise<ClientResult> {
  const child = lab.spawnIn(
    'client',
    process.execPath,
    ['--disable-warning=ExperimentalWarning', CLIENT, JSON.stringify({ url: URL_, ...spec })],
    { env: { ...process.env, ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = stdout.trim().split('\n').pop();
  if (code !== 0 || !line) throw new Error(`binding client exited ${code}: ${stderr}`);
  return JSON.parse(line) as ClientResult;
}

/** What `run` returned, and the bytes each interface received meanwhile. */
async function rxDeltas(lab: NetLab, run: () => Promise<ClientResult>) {
  const before = { wlan0: await lab.counters('wlan0'), wwan0: await lab.counters('wwan0') };
  const result = await run();
  const after = { wlan0: await lab.counters('wlan0'), wwan0: await lab.counters('wwan0') };
  return {
    result,
    wlan0: after.wlan0.rx - before.wlan0.rx,
    wwan0: after.wwan0.rx - before.wwan0.rx,
  };
}

/**
 * A laptop as most Linux laptops are: NetworkManager-style default routes per device (wifi metric
 * 600, wwan 700), and NO source-based policy rules. Replies return through the network a
 * connection came in by, as the NAT of that network would send them.
 */
describeNeeding(netnsNeeds())('device binding on a laptop without policy routing', () => {
  let lab: NetLab;

  beforeAll(async () => {
    lab = await NetLab.create(
      [
        { name: 'wlan0', policyRouting: false, metric: 600 },
        { name: 'wwan0', policyRouting: false, metric: 700 },
      ],
      { replyViaIngress: true },
    );
    await startZeroServer(lab);
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  const wwan0 = { device: 'wwan0', localAddress: '198.18.2.2' };

  it('a transfer bound to wwan0 shows its bytes on wwan0 and is verified', async () => {
    const { result, wlan0, wwan0: onWwan0 } = await rxDeltas(lab, () => download(lab, wwan0));
    expect(result).toMatchObject({ ok: true, mode: 'device', bytes: SIZE });
    expect(onWwan0).toBeGreaterThanOrEqual(SIZE);
    expect(wlan0).toBeLessThan(SIZE / 10);
    expect(result.verification).toMatchObject({ path: 'wwan0', verified: true });
    expect(result.verification?.interfaceBytes).toBeGreaterThanOrEqual(SIZE);
  });

  it('with the addon turned off, the bytes leave through wlan0 and the path is unverified', async () => {
    const {
      result,
      wlan0,
      wwan0: onWwan0,
    } = await rxDeltas(lab, () => download(lab, wwan0, { PATHWISE_NO_BINDTODEVICE: '1' }));
    expect(result).toMatchObject({ ok: true, mode: 'address', bytes: SIZE });
    expect(result.reason).toContain('PATHWISE_NO_BINDTODEVICE=1');
    expect(wlan0).toBeGreaterThanOrEqual(SIZE);
    expect(onWwan0).toBeLessThan(SIZE / 10);
    expect(result.verification).toMatchObject({ path: 'wwan0', verified: false, payloadBytes: SIZE });
    expect(result.verification?.interfaceBytes).toBeLessThan(SIZE / 10);
  });

  it('connecting over a downed device fails at once with ENETUNREACH', async () => {
    await lab.cut('wwan0');
    try {
      const result = await download(lab, { ...wwan0, timeoutMs: 60_000 });
      expect(result).toMatchObject({ ok: false, mode: 'device', code: 'ENETUNREACH' });
      expect(result.message).toContain('via wwan0');
    } finally {
      await lab.restore('wwan0');
    }
  });

  it('a device the machine does not have fails with ENODEV', async () => {
    const result = await download(lab, { device: 'usb0' });
    expect(result).toMatchObject({ ok: false, mode: 'device', code: 'ENODEV' });
  });

  it('a path that swallows packets times out with undici’s connect-timeout code', async () => {
    await lab.blackhole('wwan0');
    try {
      const result = await download(lab, { ...wwan0, timeoutMs: 1500 });
      expect(result).toMatchObject({ ok: false, mode: 'device', code: 'UND_ERR_CONNECT_TIMEOUT' });
    } finally {
      await lab.unblackhole('wwan0');
    }
  });
});

/**
 * Where source-based policy routing exists (and on macOS and Windows, which route by source),
 * binding by address holds: verification must say so rather than distrust every address binding.
 */
describeNeeding(netnsNeeds())('address binding where policy routing exists', () => {
  let lab: NetLab;

  beforeAll(async () => {
    lab = await NetLab.create([{ name: 'wlan0' }, { name: 'wwan0' }], { replyViaIngress: true });
    await startZeroServer(lab);
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  it('is verified by the interface counters', async () => {
    const child = lab.spawnIn(
      'client',
      process.execPath,
      [
        '--disable-warning=ExperimentalWarning',
        CLIENT,
        JSON.stringify({ url: URL_, device: 'wwan0', localAddress: '198.18.2.2' }),
      ],
      { env: { ...process.env, PATHWISE_NO_BINDTODEVICE: '1' } },
    );
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    await new Promise((resolve) => child.once('exit', resolve));
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ClientResult;
    expect(result).toMatchObject({ ok: true, mode: 'address', bytes: SIZE });
    expect(result.verification).toMatchObject({ path: 'wwan0', verified: true });
  });
});
