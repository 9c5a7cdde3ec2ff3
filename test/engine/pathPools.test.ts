import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import type { PathEndpoint } from '../../main/engine/pathAgent.ts';
import { SharedPathPools } from '../../main/engine/pathPools.ts';

/** A stand-in pool that only records whether it was destroyed. */
function fakeFactory(): {
  made: Array<{ path: PathEndpoint; destroyed: boolean }>;
  factory: (p: PathEndpoint) => Dispatcher;
} {
  const made: Array<{ path: PathEndpoint; destroyed: boolean }> = [];
  return {
    made,
    factory: (path) => {
      const record = { path, destroyed: false };
      made.push(record);
      return {
        destroy: () => {
          record.destroyed = true;
          return Promise.resolve();
        },
      } as unknown as Dispatcher;
    },
  };
}

const wwan0 = { name: 'wwan0', address: '198.18.2.2' };

describe('SharedPathPools', () => {
  it('hands every download the same pool of a path and keeps it after they finish', () => {
    const { made, factory } = fakeFactory();
    const pools = new SharedPathPools(factory);
    const a = pools.acquire(wwan0);
    const b = pools.acquire(wwan0);
    expect(a.dispatcher).toBe(b.dispatcher);
    a.release();
    b.release();
    const c = pools.acquire(wwan0);
    expect(c.dispatcher).toBe(a.dispatcher);
    expect(made).toHaveLength(1);
    expect(made[0]?.destroyed).toBe(false);
  });

  it('gives a fresh pool after a retire, destroying the old one only when nobody holds it', () => {
    const { made, factory } = fakeFactory();
    const pools = new SharedPathPools(factory);
    const failing = pools.acquire(wwan0);
    const neighbour = pools.acquire(wwan0);
    failing.retire();
    // The neighbour's connections are not cut from under it…
    expect(made[0]?.destroyed).toBe(false);
    // …while the next download starts on a new pool.
    const next = pools.acquire(wwan0);
    expect(next.dispatcher).not.toBe(neighbour.dispatcher);
    neighbour.release();
    expect(made[0]?.destroyed).toBe(true);
    expect(made[1]?.destroyed).toBe(false);
    // Ending a lease twice counts once.
    next.release();
    next.retire();
    expect(made[1]?.destroyed).toBe(false);
  });

  it('drops a pool whose path changed its address', () => {
    const { made, factory } = fakeFactory();
    const pools = new SharedPathPools(factory);
    pools.acquire(wwan0).release();
    const moved = pools.acquire({ name: 'wwan0', address: '198.18.2.9' });
    expect(made.map((m) => [m.path.address, m.destroyed])).toEqual([
      ['198.18.2.2', true],
      ['198.18.2.9', false],
    ]);
    moved.release();
    expect(pools.size).toBe(1);
  });

  it('closes every pool when the app quits', async () => {
    const { made, factory } = fakeFactory();
    const pools = new SharedPathPools(factory);
    pools.acquire(wwan0);
    pools.acquire({ name: 'wlan0', address: '198.18.1.2' }).release();
    await pools.close();
    expect(made.every((m) => m.destroyed)).toBe(true);
    expect(pools.size).toBe(0);
  });
});
