/**
 * Counts the string work `run` does: code points handed out by the string iterator (`[...s]`,
 * `for…of`) plus characters measured by Buffer.byteLength. A test compares it with the input's
 * length to tell one linear pass from a quadratic one, without a clock.
 */
export function countStringWork(run: () => void): number {
  let work = 0;
  const proto = String.prototype as unknown as Record<symbol, (this: string) => Iterator<string>>;
  const iterate = proto[Symbol.iterator] as (this: string) => Iterator<string>;
  const byteLength = Buffer.byteLength;
  proto[Symbol.iterator] = function* counted(this: string): Generator<string> {
    const inner = iterate.call(this);
    for (let step = inner.next(); !step.done; step = inner.next()) {
      work++;
      yield step.value;
    }
  };
  Buffer.byteLength = ((value: Parameters<typeof byteLength>[0], encoding?: BufferEncoding) => {
    if (typeof value === 'string') work += value.length;
    return byteLength(value, encoding);
  }) as typeof byteLength;
  try {
    run();
  } finally {
    proto[Symbol.iterator] = iterate;
    Buffer.byteLength = byteLength;
  }
  return work;
}
