import type { TransferInfo } from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';
import { formatBytes, formatEta, formatRate } from '../../common/format.ts';
import { commandUsage, oneOf, type ParsedArgs } from './args.ts';
import { TRANSFER_ACTIONS } from './commands.ts';
import { openDataHome } from './dataHome.ts';
import { AppConnection } from './handoffClient.ts';
import type { CliIo } from './io.ts';

type Action = (typeof TRANSFER_ACTIONS)[number];

/** What `transfers` says when no app runs: there is nobody to ask. */
export function noApp(): PathwiseError {
  return new PathwiseError(
    'E_UNAVAILABLE',
    'No Pathwise app is running for this data folder, so there are no downloads to list or control. Start Pathwise (or "pathwise serve"); "pathwise get" downloads without it.',
  );
}

/**
 * `pathwise transfers [list|pause|resume|cancel ID]`: the running app's downloads (the dashboard's,
 * and those `pathwise get` handed to it), through the same local socket. ID may be any unique
 * beginning of a download's id, as `list` shows it.
 */
export async function runTransfers(args: ParsedArgs, io: CliIo): Promise<number> {
  const [word = 'list', wanted] = args.positionals;
  const action = oneOf('transfers', 'The action', word, TRANSFER_ACTIONS);
  if (action === 'list' && wanted !== undefined) throw commandUsage('transfers', '"list" takes no ID.');
  if (action !== 'list' && wanted === undefined) {
    throw commandUsage('transfers', `"${action}" needs the download's ID ("pathwise transfers" lists them).`);
  }
  const dataDir = openDataHome(args.string('data-dir'), io);
  const app = await AppConnection.open(dataDir);
  if (!app) throw noApp();
  const json = args.flag('json') ?? false;
  try {
    const all = await app.invoke('transfers.list');
    if (action === 'list') {
      io.stdout.write(json ? `${JSON.stringify(all)}\n` : transfersText(all));
      return 0;
    }
    const id = resolveId(all, wanted as string);
    const channel = `transfers.${action}` as const satisfies `transfers.${Exclude<Action, 'list'>}`;
    const info = await app.invoke(channel, id);
    io.stdout.write(json ? `${JSON.stringify(info)}\n` : `${transfersText([info])}`);
    return 0;
  } finally {
    app.close();
  }
}

/** The one download whose id is (or begins with) `wanted`. */
export function resolveId(all: readonly TransferInfo[], wanted: string): string {
  const exact = all.find((t) => t.id === wanted);
  if (exact) return exact.id;
  const matches = all.filter((t) => t.id.startsWith(wanted));
  if (matches.length === 1) return (matches[0] as TransferInfo).id;
  if (matches.length === 0) {
    throw new PathwiseError(
      'E_NOT_FOUND',
      `The app has no download "${wanted}" ("pathwise transfers" lists them).`,
    );
  }
  throw commandUsage(
    'transfers',
    `"${wanted}" is the beginning of ${matches.length} downloads' ids; give more of it.`,
  );
}

/** One line a download: short id, state, progress, rate and ETA, file. */
export function transfersText(all: readonly TransferInfo[]): string {
  if (all.length === 0) return 'No downloads.\n';
  const rows = all.map((t) => {
    const amount = t.size ? `${formatBytes(t.received)}/${formatBytes(t.size)}` : formatBytes(t.received);
    const percent = t.size ? ` ${Math.floor((t.received / t.size) * 100)}%` : '';
    const running = t.state === 'running';
    const eta = running && t.size && t.rate > 0 ? ` ETA ${formatEta((t.size - t.received) / t.rate)}` : '';
    const rate = running ? `${formatRate(t.rate)}${eta}` : '';
    const why = t.error ? `  ${t.error.message}` : '';
    return [t.id.slice(0, 8), t.state, `${amount}${percent}`, rate, `${t.file}${why}`];
  });
  const head = ['ID', 'STATE', 'PROGRESS', 'RATE', 'FILE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}
