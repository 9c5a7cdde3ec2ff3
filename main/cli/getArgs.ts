import { isIP } from 'node:net';
import { PathwiseError } from '../../common/errors.ts';
import { parseByteSize } from '../../common/format.ts';
// Not from contract.ts: building all of its schemas would hold the first request back.
import { TransferModeSchema, type TransferMode } from '../../common/settingsContract.ts';
import type { MirrorOptions } from '../engine/MirrorSource.ts';
import type { DownloadAccess } from '../engine/requestAuth.ts';
import { parseCommandArgs } from './args.ts';
import { commandSpec, type CommandSpec } from './commands.ts';
import { readAccess } from './getAccess.ts';
import { readSources } from './getSources.ts';
import { commandHelp } from './help.ts';

/** get's help, from the command table (commands.ts) like every other command's. */
export const GET_USAGE = commandHelp(commandSpec('get') as CommandSpec);

export interface GetOptions {
  url: string;
  output: string | null;
  paths: string[] | null;
  mode: TransferMode;
  caps: Record<string, number>;
  sha256: string | null;
  /** The file's other URLs (mirrors), and a Metalink's size and piece hashes (getSources.ts). */
  mirrors: MirrorOptions | null;
  /** A Metalink's name for the file; null otherwise. */
  fileName: string | null;
  /** Follow a Metalink the URL's server names by its Content-Type (TransferOptions.followMetalink). */
  followMetalink: boolean;
  /** What reading a Metalink has to tell (URLs it can't use). */
  sourceNotices: string[];
  json: boolean;
  /** No progress and no notices: errors only (and, with --json, the final status line). */
  quiet: boolean;
  dataDir: string | undefined;
  connections: number | null;
  /** Hand the download to the running app and return at once, printing its id. */
  detach: boolean;
  /** --header, --user, --load-cookies, ~/.netrc: what the download sends to be allowed (getAccess.ts). */
  access: DownloadAccess | null;
  /** What reading them has to tell (a password others can see, a netrc others can read). */
  accessNotices: string[];
}

/** A usage mistake: exit code 2, the message, then get's help. */
export function usage(message: string): PathwiseError {
  return new PathwiseError('E_USAGE', `${message}\n\n${GET_USAGE}`);
}

export function parseGetArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): GetOptions {
  // The URL is counted here: its mistakes come with get's whole help.
  const args = parseCommandArgs(commandSpec('get') as CommandSpec, argv, false);
  // One URL, mirrors of the same file after it, or a Metalink file (getSources.ts).
  const sources = readSources(args.positionals, usage, {
    followMetalink: args.flag('metalink') !== false,
    select: args.string('select-file'),
  });
  const url = sources.url;
  const wantedMode = args.string('mode');
  const mode = TransferModeSchema.safeParse(wantedMode ?? 'aggregate');
  if (!mode.success) throw usage(`--mode must be aggregate, handover or interactive, not "${wantedMode}".`);
  const paths = args
    .string('paths')
    ?.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (paths !== undefined && paths.length === 0) throw usage('--paths needs at least one interface name.');
  for (const spec of paths ?? []) {
    const [name, address] = spec.split('=');
    if (!name || !/^[\w.:-]{1,64}$/.test(name) || (address !== undefined && isIP(address) === 0)) {
      throw usage(`--paths entry "${spec}" must be an interface name or NAME=ADDRESS.`);
    }
  }
  const caps: Record<string, number> = {};
  for (const spec of args.list('cap')) {
    const eq = spec.lastIndexOf('=');
    const name = spec.slice(0, eq);
    const size = parseByteSize(spec.slice(eq + 1));
    if (eq <= 0 || size === null) throw usage(`--cap "${spec}" must look like PATH=SIZE, e.g. wwan0=50M.`);
    caps[name] = size;
  }
  const sha256 = args.string('sha256');
  if (sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(sha256)) {
    throw usage('--sha256 must be 64 hexadecimal digits.');
  }
  if (sha256 && sources.sha256 && sha256.toLowerCase() !== sources.sha256) {
    throw usage(`--sha256 ${sha256} is not the Metalink's SHA-256 (${sources.sha256}).`);
  }
  let connections: number | null = null;
  const wanted = args.string('connections');
  if (wanted !== undefined) {
    connections = Number(wanted);
    if (!Number.isInteger(connections) || connections < 1 || connections > 16) {
      throw usage('--connections must be a whole number from 1 to 16.');
    }
  }
  const { access, notices } = readAccess(args, url, env, sources.typedMirrors);
  return {
    url,
    output: args.string('output') ?? null,
    paths: paths ?? null,
    mode: mode.data,
    caps,
    sha256: sha256?.toLowerCase() ?? sources.sha256,
    mirrors: sources.mirrors,
    fileName: sources.fileName,
    followMetalink: sources.followMetalink,
    sourceNotices: sources.notices,
    json: args.flag('json') ?? false,
    quiet: args.flag('quiet') ?? false,
    dataDir: args.string('data-dir'),
    connections,
    detach: args.flag('detach') ?? false,
    access,
    accessNotices: notices,
  };
}
