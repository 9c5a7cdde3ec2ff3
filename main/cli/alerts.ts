import type { Alert } from '../../common/contract.ts';
import { formatDateTime } from '../../common/format.ts';
import { Ledger } from '../ledger/Ledger.ts';
import type { ParsedArgs } from './args.ts';
import { openDataHome } from './dataHome.ts';
import type { CliIo } from './io.ts';

/** Every alert the ledger keeps, for --read-all (the dashboard lists the newest 200). */
const ALL = 100_000;

/**
 * `pathwise alerts`: the alerts the dashboard shows, from the ledger in the data home, newest
 * first; --unread only the unread ones; --read-all marks every unread one read once they are listed.
 */
export async function runAlerts(args: ParsedArgs, io: CliIo): Promise<number> {
  const dataDir = openDataHome(args.string('data-dir'), io);
  const { ledger, warning } = Ledger.open({ dataDir });
  if (warning) io.stderr.write(`pathwise: ${warning}\n`);
  ledger.on('warning', (message) => io.stderr.write(`pathwise: ${message}\n`));
  try {
    const unreadOnly = args.flag('unread') ?? false;
    const listed = ledger.alerts(args.flag('read-all') ? ALL : 200).filter((a) => !unreadOnly || !a.read);
    const json = args.flag('json') ?? false;
    io.stdout.write(json ? `${JSON.stringify(listed)}\n` : alertsText(listed, unreadOnly));
    if (args.flag('read-all')) {
      const unread = ledger
        .alerts(ALL)
        .filter((a) => !a.read)
        .map((a) => a.id);
      if (unread.length > 0) ledger.markRead(unread);
      if (!json)
        io.stdout.write(`${unread.length} ${unread.length === 1 ? 'alert' : 'alerts'} marked read.\n`);
    }
  } finally {
    ledger.close();
  }
  return 0;
}

export function alertsText(alerts: readonly Alert[], unreadOnly: boolean): string {
  if (alerts.length === 0) return unreadOnly ? 'No unread alerts.\n' : 'No alerts.\n';
  return alerts
    .map((a) => {
      const head = [a.read ? ' ' : '•', formatDateTime(a.at), a.severity.padEnd(8), a.path ?? '', a.title]
        .filter((part, i) => i !== 3 || part)
        .join('  ');
      return `${head}\n    ${a.message}\n`;
    })
    .join('');
}
