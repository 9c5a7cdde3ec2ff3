/** The arithmetic every scenario's figures share. */

export const MiB = 1024 * 1024;

/** Goodput in Mbit/s (10⁶ bits a second), as curl and aria2 figures are usually quoted. */
export function mbit(bytes: number, seconds: number): number {
  return (bytes * 8) / seconds / 1e6;
}

/**
 * The middle value (the upper middle for an even count): what repeated rounds are compared by.
 * A run that gave no figure (NaN) is left out; the run's failure is reported on its own.
 */
export function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

type Contenders = Record<string, () => Promise<unknown>>;
type RunsOf<C extends Contenders> = { [K in keyof C]: Array<Awaited<ReturnType<C[K]>>> };

/**
 * Each contender once per round, `rounds` times; the order turns by one each round, so none of
 * them always goes first (into a cold cache) or last. Returns each contender's runs in round order.
 */
export async function takeTurns<C extends Contenders>(rounds: number, contenders: C): Promise<RunsOf<C>> {
  const names = Object.keys(contenders) as Array<keyof C & string>;
  const runs = Object.fromEntries(names.map((n) => [n, [] as unknown[]])) as Record<string, unknown[]>;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length] as keyof C & string;
      runs[name]?.push(await (contenders[name] as () => Promise<unknown>)());
    }
  }
  return runs as RunsOf<C>;
}
