/**
 * bench/warm.ts's command line: the driver that starts a tool as a daemon (`pathwise serve`,
 * aria2's RPC daemon) inside the client namespace and asks it for a download, for the races where
 * the tool is already running.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/support/cli.ts';
import { PROBE_URL } from '../lab/nginx.ts';

/** `pathwise-get`: a `pathwise get` typed in a shell, handed to the running `pathwise serve`. */
export type WarmTool = 'pathwise' | 'pathwise-get' | 'aria2';

export interface WarmOptions {
  /** A download the daemon makes first (a tool in use), untimed. */
  earlierUrl?: string;
  /** aria2's connections in all (Pathwise's core opens its own default per path). */
  aria2Connections?: number;
  /** Past this the download counts as failed ("timed out") and the daemon is stopped. */
  deadlineMs?: number;
}

export function warmDriverArgs(
  tool: WarmTool,
  url: string,
  outDir: string,
  fileName: string,
  addresses: string[],
  options: WarmOptions = {},
): string[] {
  return [
    join(REPO_ROOT, 'bench', 'warm.ts'),
    tool,
    url,
    outDir,
    fileName,
    addresses.join(','),
    ...(options.earlierUrl ? ['--earlier', options.earlierUrl] : []),
    ...(options.aria2Connections ? ['--connections', String(options.aria2Connections)] : []),
    ...(options.deadlineMs ? ['--deadline-ms', String(options.deadlineMs)] : []),
  ];
}

/** The running core's health probe goes to the lab's nginx, never to the real internet. */
export const WARM_DRIVER_ENV: NodeJS.ProcessEnv = { PATHWISE_PROBE_URL: PROBE_URL };
