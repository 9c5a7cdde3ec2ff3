/**
 * Round axis ticks for byte charts (0, 500 MB, 1 GB, 1.5 GB…): recharts' own "nice" ticks are
 * round in decimal digits of bytes, which reads as 650 MB, 1.3 GB.
 */
export function niceTicks(max: number, target = 4): number[] {
  if (!(max > 0)) return [0];
  const raw = max / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) ticks.push(t);
  return ticks;
}
