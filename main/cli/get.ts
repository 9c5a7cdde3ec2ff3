import { statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { missingFolder } from '../engine/transferErrors.ts';
import { PathwiseError } from '../../common/errors.ts';
import { openDataHome } from './dataHome.ts';
import { AppConnection } from './handoffClient.ts';
import { parseGetArgs } from './getArgs.ts';
import { fitsHandoff } from './getSources.ts';
import type { CliIo } from './io.ts';

export { GET_USAGE } from './getArgs.ts';

/**
 * `pathwise get`: one download. With the app running it is handed to the app (handoffGet.ts);
 * else it runs in this process (getHere.ts). PATHWISE_NO_HANDOFF=1 always runs it here (benchmarks).
 */
export async function runGet(
  args: string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const options = parseGetArgs(args, env);
  const target = saveTarget(options.output);
  // Notices (a path missing, a binding by address, the data folder moved) unless --quiet.
  const notices = options.quiet ? null : io;
  for (const notice of options.accessNotices) notices?.stderr.write(`pathwise: ${notice}\n`);
  for (const notice of options.sourceNotices) notices?.stderr.write(`pathwise: ${notice}\n`);
  const dataDir = openDataHome(options.dataDir, notices, env);
  // The app (or `pathwise serve`) runs: the download is its (one engine, one ledger).
  // (A Metalink with too many piece hashes for the app's socket is downloaded here.)
  const here = env['PATHWISE_NO_HANDOFF'] === '1' || !fitsHandoff(options.mirrors);
  const app = here ? null : await AppConnection.open(dataDir, env);
  if (app) return (await import('./handoffGet.ts')).runHandedGet(app, options, target, io, env);
  if (options.detach) throw noAppToDetach();
  // Loaded only now: a download handed to the app never loads the engine, the monitor or the ledger.
  return (await import('./getHere.ts')).runHere({ options, target, io, env, dataDir, notices });
}

function noAppToDetach(): PathwiseError {
  return new PathwiseError(
    'E_UNAVAILABLE',
    '--detach leaves the download to the running Pathwise app, and none is running for this data folder. Start Pathwise (or "pathwise serve"), or leave --detach out to download here.',
  );
}

/**
 * Where -o says to save: a file, or a folder to save in under the server's name (an existing
 * folder, or any name ending in a slash). Its folder must exist: said now, before any request.
 */
function saveTarget(output: string | null): { file: string } | { directory: string } {
  const folderOnly = output === null || output.endsWith('/') || output.endsWith(sep);
  const path = resolve(output ?? '.');
  const stat = statSync(path, { throwIfNoEntry: false });
  if (folderOnly || stat?.isDirectory()) {
    if (!stat?.isDirectory()) throw missingFolder(path);
    return { directory: path };
  }
  if (!statSync(dirname(path), { throwIfNoEntry: false })?.isDirectory()) throw missingFolder(dirname(path));
  return { file: path };
}
