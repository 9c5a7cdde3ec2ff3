import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert, Settings } from '../../common/contract.ts';
import { Ledger } from '../../main/ledger/Ledger.ts';
import { cli } from './inProcess.ts';

function dataDir(): string {
  return mkdtempSync(join(tmpdir(), 'pw-cli-settings-'));
}

const saved = (dir: string): Settings =>
  JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as Settings;

describe('pathwise prefer (issue 22)', () => {
  it('sets a path’s preference in the data home’s settings, as the dashboard does', async () => {
    const dir = dataDir();
    const text = await cli(['prefer', 'wwan0', 'backup', '--data-dir', dir]);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(/^wwan0: backup\. It carries downloads only when/);
    const json = await cli(['prefer', 'eth0', 'always', '--json', '--data-dir', dir]);
    expect(JSON.parse(json.stdout)).toEqual({
      path: 'eth0',
      preference: 'always',
      preferences: { wwan0: 'backup', eth0: 'always' },
    });
    expect(saved(dir).preferences).toEqual({ wwan0: 'backup', eth0: 'always' });
    // The data folder is private.
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('refuses a preference or a name it does not know, and changes nothing', async () => {
    const dir = dataDir();
    await cli(['prefer', 'wwan0', 'never', '--data-dir', dir]);
    for (const args of [
      ['prefer', 'wwan0', 'sometimes'],
      ['prefer', 'wwan0'],
      ['prefer', 'wl an0', 'always'],
    ]) {
      const result = await cli([...args, '--data-dir', dir]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('Run "pathwise prefer --help"');
    }
    expect(saved(dir).preferences).toEqual({ wwan0: 'never' });
  });
});

describe('pathwise override', () => {
  it('sets the type and metered flag, and "auto" gives each back to detection', async () => {
    const dir = dataDir();
    const set = await cli(['override', 'usb0', '--type', 'tether', '--metered', 'yes', '--data-dir', dir]);
    expect(set.stdout).toBe('usb0: type tether, metered.\n');
    expect(saved(dir).overrides).toEqual({ usb0: { type: 'tether', metered: true } });
    const half = await cli(['override', 'usb0', '--metered', 'auto', '--json', '--data-dir', dir]);
    expect(JSON.parse(half.stdout)).toEqual({ path: 'usb0', override: { type: 'tether' } });
    const show = await cli(['override', 'usb0', '--data-dir', dir]);
    expect(show.stdout).toBe('usb0: type tether, metered as detected.\n');
    await cli(['override', 'usb0', '--type', 'auto', '--data-dir', dir]);
    expect(saved(dir).overrides).toEqual({});
    expect((await cli(['override', 'usb0', '--type', 'modem', '--data-dir', dir])).code).toBe(2);
  });
});

describe('pathwise plan', () => {
  it('creates a plan from the options and the dashboard’s defaults, then changes only what it is told', async () => {
    const dir = dataDir();
    const none = await cli(['plan', 'wwan0', '--json', '--data-dir', dir]);
    expect(JSON.parse(none.stdout)).toEqual({ path: 'wwan0', plan: null });
    const made = await cli([
      'plan',
      'wwan0',
      '--cap',
      '10GB',
      '--price',
      '2',
      '--currency',
      'eur',
      '--data-dir',
      dir,
    ]);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^wwan0\n {2}cap {9}10\.0 GB per cycle\n/);
    expect(saved(dir).plans['wwan0']).toEqual({
      capBytes: 10e9,
      cycle: { kind: 'monthly', startDay: 1 },
      pricePerGb: 2,
      overagePricePerGb: 0,
      atCap: 'stop',
      rateLimitBps: null,
      currency: 'EUR',
    });
    await cli([
      'plan',
      'wwan0',
      '--cycle-day',
      '31',
      '--fee',
      '10',
      '--overage-price',
      '5',
      '--data-dir',
      dir,
    ]);
    await cli(['plan', 'wwan0', '--at-cap', 'rate-limit', '--rate', '8Mbit/s', '--data-dir', dir]);
    const json = await cli(['plan', 'wwan0', '--rolling', '--cap', 'none', '--json', '--data-dir', dir]);
    expect(JSON.parse(json.stdout)).toEqual({
      path: 'wwan0',
      plan: {
        capBytes: null,
        cycle: { kind: 'rolling30' },
        pricePerGb: 2,
        overagePricePerGb: 5,
        monthlyFee: 10,
        atCap: 'rate-limit',
        rateLimitBps: 1e6,
        currency: 'EUR',
      },
    });
    await cli(['plan', 'wwan0', '--prepaid', '2024-02-29', '--fee', 'none', '--data-dir', dir]);
    expect(saved(dir).plans['wwan0']).toMatchObject({
      cycle: { kind: 'prepaid30', activated: '2024-02-29' },
    });
    expect(saved(dir).plans['wwan0']).not.toHaveProperty('monthlyFee');
    expect((await cli(['plan', 'wwan0', '--remove', '--data-dir', dir])).stdout).toBe(
      'wwan0: plan removed.\n',
    );
    expect(saved(dir).plans).toEqual({});
  });
});

describe('pathwise plan refuses what the dashboard refuses', () => {
  it.each([
    [['--cap', 'lots'], /--cap takes a size/],
    [['--cycle-day', '32'], /--cycle-day takes a day from 1 to 31/],
    [['--rolling', '--cycle-day', '3'], /Pick one of --cycle-day, --rolling and --prepaid/],
    [['--prepaid', '2023-02-29'], /YYYY-MM-DD/],
    [['--prepaid', '2999-01-01'], /activation day is in the future/],
    [['--price=-1'], /--price takes an amount of 0 or more/],
    [['--at-cap', 'rate-limit'], /needs the rate to slow down to/],
    [['--at-cap', 'slow'], /--at-cap takes stop, rate-limit, allow/],
    [['--rate', 'fast'], /--rate takes a rate/],
    [['--remove', '--cap', '1GB'], /--remove takes no other plan options/],
  ])('refuses %j with a usage error and writes nothing', async (args, message) => {
    const dir = dataDir();
    const result = await cli(['plan', 'wwan0', ...args, '--data-dir', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(() => saved(dir)).toThrow(/ENOENT/);
  });
});

describe('pathwise alerts', () => {
  function seed(dir: string): void {
    const { ledger } = Ledger.open({ dataDir: dir });
    ledger.recordEvent({ kind: 'transfer-done', transferId: 't1', file: 'a.iso', bytes: 1e9 });
    ledger.recordEvent({
      kind: 'transfer-failed',
      transferId: 't2',
      file: 'b.iso',
      message: 'the server went away',
    });
    ledger.close();
  }

  it('lists the alerts newest first; --unread and --read-all as the dashboard’s inbox', async () => {
    const dir = dataDir();
    expect((await cli(['alerts', '--data-dir', dir])).stdout).toBe('No alerts.\n');
    seed(dir);
    const all = JSON.parse((await cli(['alerts', '--json', '--data-dir', dir])).stdout) as Alert[];
    expect(all.map((a) => a.kind).sort()).toEqual(['transfer-done', 'transfer-failed']);
    expect(all.every((a) => !a.read)).toBe(true);
    const text = await cli(['alerts', '--unread', '--read-all', '--data-dir', dir]);
    expect(text.stdout).toContain('b.iso');
    expect(text.stdout).toMatch(/2 alerts marked read\.\n$/);
    expect((await cli(['alerts', '--unread', '--data-dir', dir])).stdout).toBe('No unread alerts.\n');
    const after = JSON.parse((await cli(['alerts', '--json', '--data-dir', dir])).stdout) as Alert[];
    expect(after.map((a) => a.read)).toEqual([true, true]);
  });
});
