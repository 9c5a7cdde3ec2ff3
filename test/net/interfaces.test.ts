import { afterAll, beforeAll, expect, it } from 'vitest';
import { runPathwise } from '../support/cli.ts';
import { NetLab, SERVER_ADDRESS } from '../support/netns.ts';
import { describeNeeding, netnsNeeds } from '../support/rootOnly.ts';

describeNeeding(netnsNeeds())('a laptop-shaped namespace', () => {
  let lab: NetLab;
  beforeAll(async () => {
    lab = await NetLab.create([{ name: 'wlan0' }, { name: 'wwan0' }]);
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('pathwise interfaces --json shows each path with its type, address and state', async () => {
    await lab.cut('wwan0');
    const result = await runPathwise(['interfaces', '--json'], { netns: lab.client });
    expect(result.code).toBe(0);
    const paths = JSON.parse(result.stdout) as Array<{
      name: string;
      type: string;
      up: boolean;
      addresses: string[];
      metered: boolean;
    }>;
    expect(paths.find((p) => p.name === 'wlan0')).toMatchObject({
      type: 'wifi',
      up: true,
      metered: false,
      addresses: ['198.18.1.2'],
    });
    expect(paths.find((p) => p.name === 'wwan0')).toMatchObject({
      type: 'cellular',
      up: false,
      metered: true,
    });
    await lab.restore('wwan0');
  });

  it('policy routing sends traffic bound to a path address out through that path', async () => {
    const server = lab.spawnIn('server', process.execPath, [
      '-e',
      `require('node:http').createServer((q,s)=>s.end(Buffer.alloc(200000))).listen(8080,'${SERVER_ADDRESS}',()=>console.log('ready'))`,
    ]);
    await new Promise((resolve) => server.stdout?.once('data', resolve));
    const before = await lab.counters('wwan0');
    await lab.inClient([
      'curl',
      '-sf',
      '-o',
      '/dev/null',
      '--interface',
      '198.18.2.2',
      `http://${SERVER_ADDRESS}:8080/`,
    ]);
    const after = await lab.counters('wwan0');
    expect(after.rx - before.rx).toBeGreaterThan(200_000);
  });
});
