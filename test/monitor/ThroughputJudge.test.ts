import { describe, expect, it } from 'vitest';
import { DEGRADED_AFTER_MS, PROBATION_FIRST_MS, RECOVERED_AFTER_MS } from '../../main/monitor/healthRules.ts';
import {
  ThroughputJudge,
  type ThroughputChange,
  type TransferSample,
} from '../../main/monitor/ThroughputJudge.ts';

const MBIT = 1e6 / 8;

/** A judge fed once a second, as the monitor's tick does; `run` returns every change, with its second. */
function judge() {
  const j = new ThroughputJudge();
  let t = 0;
  const changes: Array<ThroughputChange & { s: number }> = [];
  const run = (seconds: number, samples: (s: number) => TransferSample[]): void => {
    for (let i = 0; i < seconds; i++) {
      t += 1000;
      for (const c of j.observe(samples(t / 1000), t)) changes.push({ ...c, s: t / 1000 });
    }
  };
  return { j, run, changes, seconds: () => t / 1000 };
}

const on = (path: string, mbit: number, busy = true, transferId = 't1'): TransferSample => ({
  transferId,
  path,
  rate: mbit * MBIT,
  busy,
});

describe('throughput verdict: far below what the path delivered recently', () => {
  it('a download falling from 40 to 1 Mbit makes the path weak after DEGRADED_AFTER_MS, saying by how much', () => {
    const { run, changes } = judge();
    run(10, () => [on('wlan0', 40)]);
    expect(changes).toEqual([]);
    run(10, () => [on('wlan0', 1)]);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ path: 'wlan0', weak: true, s: 10 + 1 + DEGRADED_AFTER_MS / 1000 });
    expect(changes[0]?.reason).toBe(
      'Slow: a download gets 1.0 Mbit/s over wlan0, under 1/8 of the 40 Mbit/s it got in the last minute.',
    );
  });

  it('a slow server is no weak path: every path of that download fell at once; a new slow download has no yardstick', () => {
    const { run, changes } = judge();
    run(10, () => [on('wlan0', 40), on('eth0', 40)]);
    run(10, () => [on('wlan0', 1), on('eth0', 1)]);
    run(10, () => [on('wlan0', 0.5, true, 't2')]);
    expect(changes).toEqual([]);
  });

  it('a path with nothing in flight is not judged (a download that ended is no slowdown)', () => {
    const { run, changes } = judge();
    run(10, () => [on('wlan0', 40)]);
    run(30, () => [on('wlan0', 0, false)]);
    expect(changes).toEqual([]);
  });

  it('back when a download gets half its yardstick for RECOVERED_AFTER_MS, against the yardstick held while weak', () => {
    const { run, changes } = judge();
    run(10, () => [on('wlan0', 40)]);
    run(70, () => [on('wlan0', 1)]);
    // A minute and more of 1 Mbit/s does not become the new normal.
    expect(changes.map((c) => c.weak)).toEqual([true]);
    run(2, () => [on('wlan0', 15)]);
    expect(changes.map((c) => c.weak)).toEqual([true]);
    run(10, () => [on('wlan0', 30)]);
    expect(changes.map((c) => c.weak)).toEqual([true, false]);
    expect(changes[1]?.reason).toBe('A download gets 30 Mbit/s over wlan0 again.');
    expect((changes[1]?.s ?? 0) - 82).toBeLessThanOrEqual(RECOVERED_AFTER_MS / 1000 + 1);
  });

  it('without work (handover moved it away) the path is back on probation, for twice as long after a relapse', () => {
    const { run, changes, seconds } = judge();
    run(10, () => [on('wlan0', 40)]);
    run(5, () => [on('wlan0', 1)]);
    const weakAt = seconds();
    run(PROBATION_FIRST_MS / 1000 + 5, () => [on('wlan0', 0, false)]);
    const probation = changes.find((c) => !c.weak);
    expect(probation?.reason).toBe(
      `Given work again on probation after ${PROBATION_FIRST_MS / 1000} s without any.`,
    );
    expect((probation?.s ?? 0) - weakAt).toBeLessThanOrEqual(PROBATION_FIRST_MS / 1000 + 1);
    // Still slow when given work: weak again, and the next probation is twice as long.
    run(5, () => [on('wlan0', 1)]);
    expect(changes.filter((c) => c.weak)).toHaveLength(2);
    const relapseAt = seconds();
    run((2 * PROBATION_FIRST_MS) / 1000 + 5, () => [on('wlan0', 0, false)]);
    const second = changes.filter((c) => !c.weak)[1];
    expect(second?.reason).toMatch(`after ${(2 * PROBATION_FIRST_MS) / 1000} s`);
    expect((second?.s ?? 0) - relapseAt).toBeGreaterThan(PROBATION_FIRST_MS / 1000);
  });

  it('marked weak by other evidence (a probe behind a deep queue), it comes back by the same rules', () => {
    const { j, run, changes } = judge();
    j.markWeak('wlan0', 0);
    expect(j.isWeak('wlan0')).toBe(true);
    run(PROBATION_FIRST_MS / 1000 + 1, () => []);
    expect(changes.map((c) => c.weak)).toEqual([false]);
  });
});
