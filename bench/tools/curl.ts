import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { NetLab } from '../../test/support/netns.ts';
import type { BenchLab } from '../lab/BenchLab.ts';
import { FILE_URL } from '../lab/nginx.ts';
import { runFailure, timed, type Timed } from '../lab/timed.ts';
import { mbit } from '../measure.ts';

export interface CurlRun {
  mbit: number;
  wallS: number;
  timed: Timed;
  /** Why the yardstick failed (non-zero exit, time limit, short copy); null when it didn't. */
  failure: string | null;
}

/**
 * curl over one path (bound to its address): the goodput a single-path tool gets, which the
 * multipath tools are held to. `sample` bytes from the start of the file when a slow path would
 * take too long for the whole of it.
 */
export async function runCurl(b: BenchLab, path: string, sample = b.size): Promise<CurlRun> {
  b.clean();
  const lab = b.lab as NetLab;
  const args = ['-s', '-o', join(b.out, 'curl.bin'), '--interface', b.addr(path)];
  if (sample < b.size) args.push('-r', `0-${sample - 1}`);
  const t = await timed(lab, 'curl', [...args, FILE_URL]);
  const got = (() => {
    try {
      return statSync(join(b.out, 'curl.bin')).size;
    } catch {
      return 0;
    }
  })();
  return { mbit: mbit(got, t.wallS), wallS: t.wallS, timed: t, failure: runFailure(t, got === sample) };
}
