// Issue 20 case 14: plans follow what is paid for (SIM, Wi-Fi network, adapter), not the
// interface's name. Cycles are local time: pin the zone before anything reads the clock.
process.env.TZ = 'Europe/Berlin';

import { afterEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../common/contract.ts';
import type { ObservedPath } from '../../main/ledger/CounterIntake.ts';
import { Books, MB, path, plan } from '../support/ledgerBooks.ts';

const MODEM_MAC = '00:1e:10:1f:00:01';
const OTHER_MAC = '00:1e:10:1f:00:02';
const DAY = 86_400_000;

const open: Books[] = [];
function books(): Books {
  const b = new Books();
  open.push(b);
  return b;
}
afterEach(() => {
  for (const b of open.splice(0)) b.ledger.close();
});

/** One observation of these paths (a second after the last), as the monitor reports them. */
function see(b: Books, ...paths: Array<[string, Partial<ObservedPath>]>): void {
  b.advance(1000);
  b.ledger.observePaths(paths.map(([name, over]) => path(name, { rxBytes: 0, txBytes: 0, ...over })));
}

const capped = (over: Partial<Plan> = {}): Plan => plan({ capBytes: 100 * MB, ...over });

describe('a plan follows its modem, not the interface name', () => {
  it('keeps the cap and what is left of it when wwan0 comes back as wwan1 with the same MAC', () => {
    const b = books();
    b.plans = { wwan0: capped({ identity: `mac:${MODEM_MAC}`, mac: MODEM_MAC }) };
    see(b, ['wwan0', { mac: MODEM_MAC, identity: `mac:${MODEM_MAC}` }]);
    b.down('wwan0', 30 * MB);
    b.ledger.flush();
    expect(b.ledger.budgetFor('wwan0').remainingBytes).toBe(70 * MB);

    // Unplugged and plugged into another USB port: the kernel names it wwan1.
    b.advance(3_600_000);
    see(b, ['wwan1', { mac: MODEM_MAC, identity: `mac:${MODEM_MAC}` }]);
    expect(b.ledger.budgetFor('wwan1').remainingBytes).toBe(70 * MB);
    // Bytes on wwan1, flushed or not, come off the same cap.
    b.down('wwan1', 5 * MB);
    expect(b.ledger.budgetFor('wwan1').remainingBytes).toBe(65 * MB);
    b.ledger.flush();
    expect(b.ledger.budgetFor('wwan1').remainingBytes).toBe(65 * MB);

    // The usage view shows the modem once, under its name now, with its plan and its cycle's use.
    const summary = b.ledger.summary();
    const line = summary.paths.find((p) => p.name === 'wwan1');
    expect(line).toMatchObject({ capBytes: 100 * MB, appBytes: 35 * MB, allBytes: 35 * MB });
    expect(summary.paths.find((p) => p.name === 'wwan0')).toBeUndefined();

    // And a restart the next day changes nothing: which interface carried the modem is on disk.
    b.advance(DAY);
    b.reopen();
    see(b, ['wwan1', { mac: MODEM_MAC, identity: `mac:${MODEM_MAC}` }]);
    expect(b.ledger.budgetFor('wwan1').remainingBytes).toBe(65 * MB);
  });

  it('is seen so by a process that watches no paths (`pathwise usage`), corrections included', () => {
    const app = books();
    app.plans = { wwan0: capped({ identity: `mac:${MODEM_MAC}`, mac: MODEM_MAC }) };
    see(app, ['wwan0', { mac: MODEM_MAC, identity: `mac:${MODEM_MAC}` }]);
    app.down('wwan0', 30 * MB);
    app.ledger.flush();
    app.advance(3_600_000);
    see(app, ['wwan1', { mac: MODEM_MAC, identity: `mac:${MODEM_MAC}` }]);
    app.down('wwan1', 5 * MB);
    app.ledger.flush();
    const cli = app.twin();
    open.push(cli);
    const summary = cli.ledger.summary();
    expect(summary.paths.map((p) => p.name)).toEqual(['wwan1']);
    expect(summary.paths[0]).toMatchObject({ capBytes: 100 * MB, allBytes: 35 * MB });
    expect(summary.totalBytes).toBe(35 * MB);
    // "my carrier says 50 MB", said of wwan1 from the command line: the plan's count.
    cli.ledger.correct('wwan1', 50 * MB);
    app.ledger.flush();
    expect(app.ledger.budgetFor('wwan1').remainingBytes).toBe(50 * MB);
  });
});

describe('a plan follows its SIM', () => {
  it('follows the SIM: a modem that takes another SIM is off the plan, the SIM in another modem is on it', () => {
    const b = books();
    b.plans = { wwan0: capped({ identity: 'sim:262021234567890', mac: MODEM_MAC }) };
    see(b, ['wwan0', { mac: MODEM_MAC, identity: 'sim:262021234567890' }]);
    b.down('wwan0', 40 * MB);
    b.ledger.flush();
    b.advance(DAY);
    // The same modem with another SIM: not what the plan is for, though the MAC is the same.
    see(b, ['wwan0', { mac: MODEM_MAC, identity: 'sim:262079999999999' }]);
    expect(b.ledger.budgetFor('wwan0').remainingBytes).toBeNull();
    b.down('wwan0', 20 * MB);
    b.ledger.flush();
    // The plan's SIM in another modem, named wwan1: the plan's cap, and only the plan's SIM's use.
    b.advance(DAY);
    see(b, ['wwan1', { mac: OTHER_MAC, identity: 'sim:262021234567890' }]);
    expect(b.ledger.budgetFor('wwan1').remainingBytes).toBe(60 * MB);
  });

  it('keeps two modems apart when they swap names', () => {
    const b = books();
    b.plans = {
      wwan0: capped({ identity: 'sim:111', mac: MODEM_MAC }),
      wwan1: capped({ identity: 'sim:222', mac: OTHER_MAC, capBytes: 500 * MB }),
    };
    const modem = (mac: string, identity: string): Partial<ObservedPath> => ({ mac, identity });
    see(b, ['wwan0', modem(MODEM_MAC, 'sim:111')], ['wwan1', modem(OTHER_MAC, 'sim:222')]);
    b.down('wwan0', 10 * MB);
    b.down('wwan1', 50 * MB);
    b.ledger.flush();
    b.advance(DAY);
    see(b, ['wwan0', modem(OTHER_MAC, 'sim:222')], ['wwan1', modem(MODEM_MAC, 'sim:111')]);
    expect(b.ledger.budgetFor('wwan1').remainingBytes).toBe(90 * MB);
    expect(b.ledger.budgetFor('wwan0').remainingBytes).toBe(450 * MB);
    const summary = b.ledger.summary();
    expect(summary.paths.find((p) => p.name === 'wwan0')).toMatchObject({
      capBytes: 500 * MB,
      allBytes: 50 * MB,
    });
    expect(summary.paths.find((p) => p.name === 'wwan1')).toMatchObject({
      capBytes: 100 * MB,
      allBytes: 10 * MB,
    });
    expect(summary.totalBytes).toBe(60 * MB);
  });
});

describe('a plan follows its Wi-Fi network, and plans from before identities still hold', () => {
  it('applies a hotspot plan only on its Wi-Fi network', () => {
    const b = books();
    b.plans = { wlan0: capped({ identity: 'ssid:PhoneHotspot' }) };
    see(b, ['wlan0', { identity: 'ssid:PhoneHotspot', ssid: 'PhoneHotspot' }]);
    b.down('wlan0', 25 * MB);
    expect(b.ledger.budgetFor('wlan0').remainingBytes).toBe(75 * MB);
    see(b, ['wlan0', { identity: 'ssid:HomeNet', ssid: 'HomeNet' }]);
    expect(b.ledger.budgetFor('wlan0').remainingBytes).toBeNull();
  });

  it('finds a plan from before identities by its name, and books a correction on the plan', () => {
    const b = books();
    b.plans = { wwan0: capped() };
    b.down('wwan0', 10 * MB);
    expect(b.ledger.budgetFor('wwan0').remainingBytes).toBe(90 * MB);
    see(b, ['wwan0', { mac: MODEM_MAC, identity: `mac:${MODEM_MAC}` }]);
    expect(b.ledger.budgetFor('wwan0').remainingBytes).toBe(90 * MB);
    b.ledger.flush();
    // Tied now (the app does this in the settings); a correction given under the new name counts.
    b.plans = { wwan0: capped({ identity: `mac:${MODEM_MAC}`, mac: MODEM_MAC }) };
    b.advance(DAY);
    see(b, ['wwan1', { mac: MODEM_MAC, identity: `mac:${MODEM_MAC}` }]);
    expect(b.ledger.budgetFor('wwan1').remainingBytes).toBe(90 * MB);
    b.ledger.correct('wwan1', 40 * MB);
    expect(b.ledger.budgetFor('wwan1').remainingBytes).toBe(60 * MB);
  });
});
