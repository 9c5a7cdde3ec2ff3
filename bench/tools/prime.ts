import { join } from 'node:path';
import { PATHWISE_BIN } from '../../test/support/cli.ts';
import type { NetLab } from '../../test/support/netns.ts';
import { EARLIER_URL } from '../lab/nginx.ts';
import { timed } from '../lab/timed.ts';
import { WARM_DRIVER_ENV, warmDriverArgs } from './warmDriver.ts';

/**
 * Before anything is timed, each tool downloads a small file once, from a shell and as a
 * daemon: as on any run after a tool's first, its files are in the page cache and Node's
 * compile cache holds the code compiled for the bundle `npm run build` just wrote (a new
 * build's first `pathwise get` compiles it: its first request leaves ~0.02 s later, which a
 * race with a cut three seconds in pays about three times over).
 */
export async function primeTools(
  lab: NetLab,
  out: string,
  paths: string[],
  addresses: string[],
): Promise<void> {
  const runs = [
    await timed(lab, PATHWISE_BIN, [
      'get',
      EARLIER_URL,
      '-o',
      join(out, 'prime.bin'),
      '--paths',
      paths.join(','),
    ]),
    await timed(lab, 'aria2c', [
      `--multiple-interface=${addresses.join(',')}`,
      '-d',
      out,
      '-o',
      'prime-aria2.bin',
      '--allow-overwrite=true',
      '--console-log-level=warn',
      EARLIER_URL,
    ]),
    await timed(
      lab,
      process.execPath,
      warmDriverArgs('pathwise', EARLIER_URL, out, 'prime-warm.bin', addresses),
      {
        env: WARM_DRIVER_ENV,
      },
    ),
  ];
  for (const run of runs)
    if (run.code !== 0) process.stderr.write(`priming run failed (${run.code}): ${run.stderr}\n`);
}
