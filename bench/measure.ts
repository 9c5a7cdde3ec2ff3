/** The arithmetic every scenario's figures share. */

export const MiB = 1024 * 1024;

/** Goodput in Mbit/s (10⁶ bits a second), as curl and aria2 figures are usually quoted. */
export function mbit(bytes: number, seconds: number): number {
  return (bytes * 8) / seconds / 1e6;
}

/** The middle value (the upper middle for an even count): what repeated rounds are compared by. */
export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
