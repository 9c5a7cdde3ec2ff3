import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { PathwiseError } from '../../common/errors.ts';
import { parseByteSize } from '../../common/format.ts';
// Not from contract.ts: building all of its schemas would hold the first request back.
import { TransferModeSchema, type TransferMode } from '../../common/settingsContract.ts';

export const GET_USAGE = `Usage: pathwise get URL [-o FILE] [options]

Downloads URL over several network paths at once; re-running the same command resumes.

Options:
  -o, --output FILE      where to save; a folder (or a name ending in /) saves in it under a
                         safe name from the server (default: that name, in this folder)
  --paths A,B            use exactly these interfaces, in order (the first is the primary in
                         handover mode); NAME=ADDRESS binds a path to a given source address
  --mode MODE            aggregate (default) | handover | interactive
  --cap PATH=SIZE        spend at most SIZE on PATH (e.g. wwan0=50M); repeatable
  --sha256 HEX           the expected SHA-256; the file is kept only if it matches
  --connections N        connections per path (default 2)
  --json                 JSON lines of progress and events, and a final status line
  --data-dir DIR         where settings and the ledger live (or PATHWISE_DATA_DIR)
`;

export interface GetOptions {
  url: string;
  output: string | null;
  paths: string[] | null;
  mode: TransferMode;
  caps: Record<string, number>;
  sha256: string | null;
  json: boolean;
  dataDir: string | undefined;
  connections: number | null;
}

/** A usage mistake: exit code 2, the message, then get's help. */
export function usage(message: string): PathwiseError {
  return new PathwiseError('E_USAGE', `${message}\n\n${GET_USAGE}`);
}

export function parseGetArgs(args: string[]): GetOptions {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      output: { type: 'string', short: 'o' },
      paths: { type: 'string' },
      mode: { type: 'string' },
      cap: { type: 'string', multiple: true },
      sha256: { type: 'string' },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
      connections: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw usage('Give exactly one URL.');
  const url = positionals[0] as string;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw usage(`"${url}" is not an http:// or https:// URL.`);
  }
  const mode = TransferModeSchema.safeParse(values.mode ?? 'aggregate');
  if (!mode.success) throw usage(`--mode must be aggregate, handover or interactive, not "${values.mode}".`);
  const paths = values.paths
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
  for (const spec of values.cap ?? []) {
    const eq = spec.lastIndexOf('=');
    const name = spec.slice(0, eq);
    const size = parseByteSize(spec.slice(eq + 1));
    if (eq <= 0 || size === null) throw usage(`--cap "${spec}" must look like PATH=SIZE, e.g. wwan0=50M.`);
    caps[name] = size;
  }
  if (values.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(values.sha256)) {
    throw usage('--sha256 must be 64 hexadecimal digits.');
  }
  let connections: number | null = null;
  if (values.connections !== undefined) {
    connections = Number(values.connections);
    if (!Number.isInteger(connections) || connections < 1 || connections > 16) {
      throw usage('--connections must be a whole number from 1 to 16.');
    }
  }
  return {
    url,
    output: values.output ?? null,
    paths: paths ?? null,
    mode: mode.data,
    caps,
    sha256: values.sha256?.toLowerCase() ?? null,
    json: values.json ?? false,
    dataDir: values['data-dir'],
    connections,
  };
}
