import { resolveDataDir } from '../base/dataDir.ts';
import { prepareDataHome } from '../base/dataHome.ts';
import type { CliIo } from './io.ts';

/**
 * The data folder a command works on (--data-dir, PATHWISE_DATA_DIR, else the one data home the
 * app uses too), made ready: private, and the app's older files moved in once (dataHome.ts). What
 * the user should know goes to stderr, unless the command is to be quiet.
 */
export function openDataHome(
  flag: string | undefined,
  io: CliIo | null,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const dir = resolveDataDir(flag, env);
  for (const warning of prepareDataHome(dir, { env })) io?.stderr.write(`pathwise: ${warning}\n`);
  return dir;
}
