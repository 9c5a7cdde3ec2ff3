import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PathInfo, Plan } from '../../common/contract.ts';
import { describeIdentity, macIdentity, planKeyFor, samePayer, tieTo } from '../../common/planIdentity.ts';
import { tiedPlans } from '../../main/core/settingsWiring.ts';
import {
  ModemIdentities,
  parseMmcliModem,
  parseMmcliModemList,
  parseMmcliSim,
  pathIdentity,
} from '../../main/monitor/pathIdentity.ts';
import { PathMonitor } from '../../main/monitor/PathMonitor.ts';

// Recorded as mmcli 1.20 prints `-K` (key, padded, " : ", value; lists as .length and .value[n]).
const MODEM_LIST = [
  'modem-list.length   : 2',
  'modem-list.value[1] : /org/freedesktop/ModemManager1/Modem/0',
  'modem-list.value[2] : /org/freedesktop/ModemManager1/Modem/1',
].join('\n');

const MODEM_0 = [
  'modem.dbus-path                              : /org/freedesktop/ModemManager1/Modem/0',
  'modem.generic.device-identifier              : 6b2ac5f0a3cfb7d0c0e1e4ab8c1b3c2d9a3f1e0b',
  'modem.generic.manufacturer                   : Quectel',
  'modem.generic.model                          : EM12-G',
  'modem.generic.equipment-identifier           : 861234050123456',
  'modem.generic.device                         : /sys/devices/pci0000:00/0000:00:14.0/usb2/2-3',
  'modem.generic.drivers.length                 : 2',
  'modem.generic.drivers.value[1]               : option',
  'modem.generic.drivers.value[2]               : qmi_wwan',
  'modem.generic.plugin                         : quectel',
  'modem.generic.primary-port                   : cdc-wdm0',
  'modem.generic.ports.length                   : 4',
  'modem.generic.ports.value[1]                 : cdc-wdm0 (qmi)',
  'modem.generic.ports.value[2]                 : ttyUSB0 (qcdm)',
  'modem.generic.ports.value[3]                 : ttyUSB2 (at)',
  'modem.generic.ports.value[4]                 : wwan0 (net)',
  'modem.generic.own-numbers                    : --',
  'modem.generic.unlock-required                : sim-pin2',
  'modem.generic.state                          : connected',
  'modem.generic.sim                            : /org/freedesktop/ModemManager1/SIM/0',
  'modem.generic.sim-slots                      : --',
  'modem.generic.bearers.length                 : 1',
  'modem.generic.bearers.value[1]               : /org/freedesktop/ModemManager1/Bearer/0',
  'modem.3gpp.imei                              : 861234050123456',
  'modem.3gpp.operator-name                     : Telekom.de',
].join('\n');

// A second modem, its SIM locked: no SIM path at all.
const MODEM_1 = [
  'modem.dbus-path                : /org/freedesktop/ModemManager1/Modem/1',
  'modem.generic.ports.length     : 2',
  'modem.generic.ports.value[1]   : cdc-wdm1 (mbim)',
  'modem.generic.ports.value[2]   : wwan1 (net)',
  'modem.generic.state            : locked',
  'modem.generic.sim              : --',
].join('\n');

const SIM_0 = [
  'sim.dbus-path                             : /org/freedesktop/ModemManager1/SIM/0',
  'sim.properties.active                     : yes',
  'sim.properties.imsi                       : 262011234567890',
  'sim.properties.iccid                      : 8949020000012345678',
  'sim.properties.operator-code              : 26201',
  'sim.properties.operator-name              : Telekom.de',
  'sim.properties.emergency-numbers.length   : 2',
  'sim.properties.emergency-numbers.value[1] : 112',
  'sim.properties.emergency-numbers.value[2] : 110',
].join('\n');

describe('what is paid for on a path: ModemManager', () => {
  it('reads modems, their network ports and SIMs from mmcli -K', () => {
    expect(parseMmcliModemList(MODEM_LIST)).toEqual([
      '/org/freedesktop/ModemManager1/Modem/0',
      '/org/freedesktop/ModemManager1/Modem/1',
    ]);
    expect(parseMmcliModem(MODEM_0)).toEqual({
      interfaces: ['wwan0'],
      sim: '/org/freedesktop/ModemManager1/SIM/0',
    });
    expect(parseMmcliModem(MODEM_1)).toEqual({ interfaces: ['wwan1'], sim: null });
    expect(parseMmcliSim(SIM_0)).toBe('sim:262011234567890');
    // A SIM whose IMSI can't be read yet (PIN): its card number.
    expect(parseMmcliSim(SIM_0.replace('262011234567890', '--'))).toBe('sim:8949020000012345678');
    expect(parseMmcliSim('sim.dbus-path : /org/freedesktop/ModemManager1/SIM/0')).toBeNull();
  });

  it('maps each modem’s interface to its SIM with one mmcli call per modem and SIM', async () => {
    const calls: string[][] = [];
    const answers: Record<string, string> = {
      '-L': MODEM_LIST,
      '/org/freedesktop/ModemManager1/Modem/0': MODEM_0,
      '/org/freedesktop/ModemManager1/Modem/1': MODEM_1,
      '/org/freedesktop/ModemManager1/SIM/0': SIM_0,
    };
    const modems = new ModemIdentities({
      run: async (args) => {
        calls.push(args);
        return answers[args[0] === '-L' ? '-L' : (args[1] as string)] ?? '';
      },
    });
    expect(modems.current().size).toBe(0);
    await modems.refresh();
    expect([...modems.current()]).toEqual([['wwan0', 'sim:262011234567890']]);
    expect(calls).toHaveLength(4);
    // ModemManager gone: the last answer stays rather than every plan losing its SIM.
    const failing = new ModemIdentities({ run: async () => Promise.reject(new Error('no ModemManager')) });
    await failing.refresh();
    expect(failing.current().size).toBe(0);
    expect(new ModemIdentities({ mmcliPath: null }).available).toBe(false);
  });
});

describe('what is paid for on a path: the rules', () => {
  it('prefers the SIM, then the Wi-Fi network, then the adapter’s burnt-in address', () => {
    const mac = '00:1E:10:1F:00:01';
    expect(pathIdentity({ type: 'cellular', mac, sim: 'sim:262011234567890' })).toBe('sim:262011234567890');
    expect(pathIdentity({ type: 'cellular', mac })).toBe('mac:00:1e:10:1f:00:01');
    expect(pathIdentity({ type: 'wifi', mac, ssid: 'PhoneHotspot' })).toBe('ssid:PhoneHotspot');
    // Wi-Fi before its network is read: the adapter is not what a hotspot plan is for.
    expect(pathIdentity({ type: 'wifi', mac, ssid: null })).toBeUndefined();
    expect(pathIdentity({ type: 'ethernet', mac })).toBe('mac:00:1e:10:1f:00:01');
    // Set by software (a phone's tether picks a new one each time), none, or nothing paid for.
    expect(pathIdentity({ type: 'tether', mac: '02:3c:91:aa:bb:cc' })).toBeUndefined();
    expect(pathIdentity({ type: 'ethernet', mac: '00:00:00:00:00:00' })).toBeUndefined();
    expect(pathIdentity({ type: 'vpn', mac })).toBeUndefined();
    expect(macIdentity('001E101F0001')).toBe('mac:00:1e:10:1f:00:01');
  });

  it('gives each path of the monitor its identity (sysfs address)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pw-identity-'));
    try {
      for (const [name, mac] of [
        ['wwan1', '00:1e:10:1f:00:01'],
        ['usb0', '06:5b:8f:27:9a:64'],
      ] as const) {
        await mkdir(join(root, name, 'statistics'), { recursive: true });
        for (const [file, text] of [
          ['operstate', 'up'],
          ['carrier', '1'],
          ['type', '1'],
          ['address', mac],
          ['statistics/rx_bytes', '0'],
          ['statistics/tx_bytes', '0'],
        ]) {
          await writeFile(join(root, name, file as string), `${text}\n`);
        }
      }
      const monitor = new PathMonitor({
        sysClassNet: root,
        procNetDir: join(root, 'no-proc'),
        networkInterfaces: () => ({}),
        systemDetails: false,
        countersIntervalMs: 0,
      });
      const paths = await monitor.refresh();
      expect(paths.find((p) => p.name === 'wwan1')?.identity).toBe('mac:00:1e:10:1f:00:01');
      expect(paths.find((p) => p.name === 'usb0')?.identity).toBeUndefined();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

const plan = (over: Partial<Plan> = {}): Plan => ({
  capBytes: 1e9,
  cycle: { kind: 'monthly', startDay: 1 },
  pricePerGb: 10,
  overagePricePerGb: 10,
  atCap: 'stop',
  rateLimitBps: null,
  currency: 'EUR',
  ...over,
});

function path(name: string, over: Partial<PathInfo> = {}): PathInfo {
  return { name, type: 'cellular', addresses: [], up: true, metered: true, preference: 'backup', ...over };
}

const MAC = '00:1e:10:1f:00:01';

describe('which plan a path is on', () => {
  it('compares on the strongest identity both know, and can’t tell without one', () => {
    const simPlan = plan({ identity: 'sim:111', mac: MAC });
    expect(samePayer(simPlan, { identity: 'sim:111' })).toBe(true);
    expect(samePayer(simPlan, { identity: 'sim:222', mac: MAC })).toBe(false);
    // Where the SIM can't be read (`pathwise get` asks no ModemManager), the modem's address says it.
    expect(samePayer(simPlan, { identity: `mac:${MAC}`, mac: MAC })).toBe(true);
    expect(samePayer(plan(), { identity: 'sim:111' })).toBeNull();
  });

  it('finds the plan by identity first, by name as a fallback, never another SIM’s or network’s', () => {
    const plans = { wwan0: plan({ identity: 'sim:111', mac: MAC }), wlan0: plan({ identity: 'ssid:Phone' }) };
    expect(planKeyFor(path('wwan1', { identity: 'sim:111' }), plans)).toBe('wwan0');
    expect(planKeyFor(path('wwan0', { identity: 'sim:222' }), plans)).toBeNull();
    expect(planKeyFor(path('wwan0'), plans)).toBe('wwan0');
    expect(planKeyFor(path('wlan0', { type: 'wifi', identity: 'ssid:Home' }), plans)).toBeNull();
    // The plan's SIM is in another interface here now: the name wwan0 is not enough.
    const here = [path('wwan0'), path('wwan1', { identity: 'sim:111' })];
    expect(planKeyFor(here[0] as PathInfo, plans, here)).toBeNull();
    expect(planKeyFor(path('eth0'), { eth0: plan() })).toBe('eth0');
  });

  it('ties plans from before identities to their path once, and upgrades an adapter to its SIM', () => {
    const before = { wwan0: plan(), wlan0: plan() };
    const first = [
      path('wwan0', { identity: `mac:${MAC}`, mac: MAC }),
      path('wlan0', { type: 'wifi', mac: '00:1b:2c:3d:4e:5f', ssid: null }),
    ];
    const tied = tiedPlans(before, first) as Record<string, Plan>;
    expect(tied.wwan0).toMatchObject({ identity: `mac:${MAC}`, mac: MAC, capBytes: 1e9 });
    expect(tied.wlan0?.identity).toBeUndefined(); // its network is not known yet
    expect(tiedPlans(tied, first)).toBeNull(); // nothing more to write
    // ModemManager has answered, the modem now named wwan2; the hotspot's name is known.
    const later = [
      path('wwan2', { identity: 'sim:262011234567890', mac: MAC }),
      path('wlan0', {
        type: 'wifi',
        mac: '00:1b:2c:3d:4e:5f',
        ssid: 'PhoneHotspot',
        identity: 'ssid:PhoneHotspot',
      }),
    ];
    const upgraded = tiedPlans(tied, later) as Record<string, Plan>;
    expect(upgraded.wwan0).toMatchObject({ identity: 'sim:262011234567890', mac: MAC });
    expect(upgraded.wlan0).toMatchObject({ identity: 'ssid:PhoneHotspot' });
    expect(tieTo(upgraded.wwan0 as Plan, later[0] as PathInfo)).toBeNull();
  });

  it('says what a plan is tied to, for the plan editor', () => {
    expect(describeIdentity(plan({ identity: 'sim:262011234567890', mac: MAC }))).toBe('SIM 2620…');
    expect(describeIdentity(plan({ identity: 'ssid:PhoneHotspot' }))).toBe('Wi-Fi “PhoneHotspot”');
    expect(describeIdentity(plan({ identity: `mac:${MAC}`, mac: MAC }))).toBe(`this adapter (MAC ${MAC})`);
    expect(describeIdentity(plan())).toBeNull();
  });
});
