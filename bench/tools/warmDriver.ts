/**
 * bench/warm.ts's command line: the driver that starts a tool as a daemon (`pathwise serve`,
 * aria2's RPC daemon) inside the client namespace and asks it for a download, for the races where
 * the tool is already running.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/support/cli.ts';
import { PROBE_URL } from '../lab/nginx.ts';

export type WarmTool = 'pathwise' | 'aria2';

export function warmDriverArgs(
  tool: WarmTool,
  url: string,
  outDir: string,
  fileName: string,
  addresses: string[],
  earlierUrl?: string,
): string[] {
  return [
    join(REPO_ROOT, 'bench', 'warm.ts'),
    tool,
    url,
    outDir,
    fileName,
    addresses.join(','),
    ...(earlierUrl ? [earlierUrl] : []),
  ];
}

/** The running core's health probe goes to the lab's nginx, never to the real internet. */
export const WARM_DRIVER_ENV: NodeJS.ProcessEnv = { PATHWISE_PROBE_URL: PROBE_URL };
