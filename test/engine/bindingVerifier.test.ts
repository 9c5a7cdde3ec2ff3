import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sysfsCounters, type CounterSample } from '../../main/network/interfaceCounters.ts';
import { judgeWindow, PathVerifier, type PathVerification } from '../../main/engine/PathVerifier.ts';

const MiB = 1 << 20;

/** Interface counters the test moves by hand, and a clock it moves too. */
function fakeNetwork() {
  const counters = new Map<string, CounterSample>();
  let clock = 1_000_000;
  const network = {
    counters: {
      read: async (device: string) => {
        const c = counters.get(device);
        return c ? { ...c } : null;
      },
    },
    now: () => clock,
    tick(ms: number) {
      clock += ms;
    },
    receive(device: string, bytes: number) {
      const c = counters.get(device) ?? { rx: 0, tx: 0 };
      counters.set(device, { rx: c.rx + bytes, tx: c.tx + Math.round(bytes / 50) });
    },
    reset(device: string) {
      counters.set(device, { rx: 0, tx: 0 });
    },
  };
  network.reset('wlan0');
  network.reset('wwan0');
  return network;
}

function verifierOn(network: ReturnType<typeof fakeNetwork>) {
  const verifier = new PathVerifier({ counters: network.counters, now: network.now, idleMs: 2000 });
  const changes: PathVerification[] = [];
  verifier.on('change', (c) => changes.push(c));
  return { verifier, changes };
}

describe('judgeWindow', () => {
  it('waits for enough payload, then needs 90% of it on the interface', () => {
    expect(judgeWindow(MiB - 1, 0)).toBeNull();
    expect(judgeWindow(MiB, 0.9 * MiB)).toBe(true);
    expect(judgeWindow(MiB, 0.9 * MiB - 1)).toBe(false);
    expect(judgeWindow(10 * MiB, 50 * MiB)).toBe(true);
    expect(judgeWindow(10 * MiB, 1000, { minBytes: 1, ratio: 0.5 })).toBe(false);
  });
});

describe('PathVerifier: the verdict', () => {
  it('verifies a path whose payload shows on its interface, and not one whose bytes went elsewhere', async () => {
    const net = fakeNetwork();
    const { verifier, changes } = verifierOn(net);
    await verifier.track('wlan0', 'wlan0');
    await verifier.track('wwan0', 'wwan0');

    // 512 KiB each: not enough data to say anything yet.
    for (const path of ['wlan0', 'wwan0']) verifier.record(path, 512 * 1024);
    net.receive('wlan0', 2 * 512 * 1024); // wwan0's bytes arrived through wlan0 as well
    await verifier.check();
    expect(verifier.verdict('wlan0')).toBeNull();
    expect(verifier.verdict('wwan0')).toBeNull();
    expect(changes).toEqual([]);

    for (const path of ['wlan0', 'wwan0']) verifier.record(path, 3 * MiB);
    net.receive('wlan0', 6 * MiB);
    net.receive('wwan0', 2000); // a little background traffic
    await verifier.check();
    expect(verifier.verdict('wlan0')).toBe(true);
    expect(verifier.verdict('wwan0')).toBe(false);
    expect(changes.map((c) => [c.path, c.verified])).toEqual([
      ['wlan0', true],
      ['wwan0', false],
    ]);
    const wwan0 = changes[1] as PathVerification;
    expect(wwan0.payloadBytes).toBe(3.5 * MiB);
    expect(wwan0.interfaceBytes).toBeLessThan(3000);

    // Same verdicts on the next check: no new events.
    await verifier.check();
    expect(changes).toHaveLength(2);
  });

  it('counts traffic of other programs in favour of the path (it only adds)', async () => {
    const net = fakeNetwork();
    const { verifier } = verifierOn(net);
    await verifier.track('wwan0', 'wwan0');
    verifier.record('wwan0', 2 * MiB);
    net.receive('wwan0', 2 * MiB + 30 * MiB);
    await verifier.check();
    expect(verifier.verdict('wwan0')).toBe(true);
  });

  it('says nothing about a path whose device is gone', async () => {
    const net = fakeNetwork();
    const { verifier } = verifierOn(net);
    await verifier.track('usb0', 'usb0');
    verifier.record('usb0', 5 * MiB);
    const [result] = await verifier.check();
    expect(result).toMatchObject({ path: 'usb0', verified: null });
  });
});

/** A verdict weighs one window of traffic: when that window starts afresh, and when it must stay open. */
describe('PathVerifier: the window a verdict covers', () => {
  it('starts a fresh window after the path was idle, so a later misroute is caught', async () => {
    const net = fakeNetwork();
    const { verifier, changes } = verifierOn(net);
    await verifier.track('wwan0', 'wwan0');
    verifier.record('wwan0', 4 * MiB);
    net.receive('wwan0', 4 * MiB);
    await verifier.check();
    expect(verifier.verdict('wwan0')).toBe(true);

    net.tick(3000);
    await verifier.check(); // idle: the window restarts here
    // The route changes: the next transfer's bytes come in on another interface.
    verifier.record('wwan0', 2 * MiB);
    net.receive('wlan0', 2 * MiB);
    net.tick(1000);
    await verifier.check();
    expect(verifier.verdict('wwan0')).toBe(false);
    expect(changes.map((c) => c.verified)).toEqual([true, false]);
  });

  it('keeps a window open while the path is busy, so bytes buffered across checks never count against it', async () => {
    const net = fakeNetwork();
    const { verifier } = verifierOn(net);
    await verifier.track('wwan0', 'wwan0');
    // The interface always runs 1 MiB ahead of what the engine has read (socket buffers).
    net.receive('wwan0', MiB);
    for (let i = 0; i < 10; i++) {
      verifier.record('wwan0', 2 * MiB);
      net.receive('wwan0', 2 * MiB);
      net.tick(1000);
      await verifier.check();
      expect(verifier.verdict('wwan0')).toBe(true);
    }
  });

  it('restarts after an interface counter reset instead of judging across it', async () => {
    const net = fakeNetwork();
    const { verifier } = verifierOn(net);
    net.receive('wwan0', 100 * MiB);
    await verifier.track('wwan0', 'wwan0');
    net.reset('wwan0'); // the modem re-enumerated: its counters start again from zero
    verifier.record('wwan0', 2 * MiB);
    await verifier.check();
    expect(verifier.verdict('wwan0')).toBeNull();
    net.tick(3000);
    await verifier.check(); // idle now: a clean window from the new counters
    verifier.record('wwan0', 2 * MiB);
    net.receive('wwan0', 2 * MiB);
    await verifier.check();
    expect(verifier.verdict('wwan0')).toBe(true);
  });
});

describe('sysfsCounters', () => {
  const root = mkdtempSync(join(tmpdir(), 'pw-sysfs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads rx and tx bytes of a device, and refuses names that are not interface names', async () => {
    mkdirSync(join(root, 'wwan0', 'statistics'), { recursive: true });
    writeFileSync(join(root, 'wwan0', 'statistics', 'rx_bytes'), '123456\n');
    writeFileSync(join(root, 'wwan0', 'statistics', 'tx_bytes'), '789\n');
    const counters = sysfsCounters(root);
    expect(await counters.read('wwan0')).toEqual({ rx: 123456, tx: 789 });
    expect(await counters.read('wlan0')).toBeNull();
    expect(await counters.read('../wwan0')).toBeNull();
    expect(await counters.read('..')).toBeNull();
  });
});
