import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PathInfo } from '../../main/contract.ts';
import { classifyInterface } from '../../main/monitor/classify.ts';
import { PathMonitor } from '../../main/monitor/PathMonitor.ts';

async function fakeInterface(root: string, name: string, operstate: string, type = '1'): Promise<void> {
  await mkdir(join(root, name), { recursive: true });
  await writeFile(join(root, name, 'operstate'), `${operstate}\n`);
  await writeFile(join(root, name, 'carrier'), operstate === 'up' ? '1\n' : '0\n');
  await writeFile(join(root, name, 'type'), `${type}\n`);
}

describe('classifyInterface', () => {
  it.each([
    ['wlan0', 'wifi'],
    ['wlp2s0', 'wifi'],
    ['wwan0', 'cellular'],
    ['wwp0s20f0u6', 'cellular'],
    ['ppp0', 'cellular'],
    ['usb0', 'tether'],
    ['enx001122334455', 'tether'],
    ['eth0', 'ethernet'],
    ['enp3s0', 'ethernet'],
    ['tun0', 'vpn'],
    ['wg0', 'vpn'],
    ['lo', 'loopback'],
    ['docker0', 'virtual'],
  ])('%s is %s', (name, type) => {
    expect(classifyInterface({ name })).toBe(type);
  });

  it('trusts the driver over the name', () => {
    expect(classifyInterface({ name: 'eth1', driver: 'qmi_wwan' })).toBe('cellular');
    expect(classifyInterface({ name: 'eth1', driver: 'rndis_host' })).toBe('tether');
    expect(classifyInterface({ name: 'eth1', gateway: '172.20.10.1' })).toBe('tether');
  });
});

describe('PathMonitor', () => {
  it('reports a link going down and coming back', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pw-sys-'));
    await fakeInterface(root, 'wlan0', 'up');
    await fakeInterface(root, 'wwan0', 'up');
    const monitor = new PathMonitor({ sysClassNet: root, pollIntervalMs: 20 });
    const seen: PathInfo[][] = [];
    monitor.on('paths', (paths) => seen.push(paths));
    await monitor.start();
    expect(monitor.snapshot().map((p) => [p.name, p.type, p.up])).toEqual([
      ['wlan0', 'wifi', true],
      ['wwan0', 'cellular', true],
    ]);
    await writeFile(join(root, 'wlan0', 'operstate'), 'down\n');
    await expect
      .poll(() => monitor.snapshot().find((p) => p.name === 'wlan0')?.up, { timeout: 1000 })
      .toBe(false);
    monitor.stop();
    expect(seen.length).toBe(2);
  });

  it('marks cellular and tether paths metered and makes them backup by default', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pw-sys-'));
    await fakeInterface(root, 'usb0', 'up');
    await fakeInterface(root, 'eth0', 'up');
    const monitor = new PathMonitor({ sysClassNet: root });
    const paths = await monitor.refresh();
    expect(paths.find((p) => p.name === 'usb0')).toMatchObject({ metered: true, preference: 'backup' });
    expect(paths.find((p) => p.name === 'eth0')).toMatchObject({ metered: false, preference: 'always' });
  });
});
