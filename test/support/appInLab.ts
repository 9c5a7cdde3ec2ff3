/**
 * The app's core (createPathwise: monitor, engine, ledger) run inside a lab namespace:
 *   node appInLab.ts DATA_DIR URL [path=preference ...]
 * downloads URL through the service as the dashboard would, waits for the ledger to see the
 * interfaces' counters settle, then prints one JSON line: the transfer and the usage summary.
 */
import { createPathwise } from '../../main/core/createPathwise.ts';
import type { Preference, TransferInfo } from '../../common/contract.ts';

const [dataDir, url, ...prefs] = process.argv.slice(2) as [string, string, ...string[]];
const app = await createPathwise({ shell: 'headless', dataDir });
await app.settings.update({
  downloadDir: `${dataDir}/downloads`,
  preferences: Object.fromEntries(prefs.map((p) => p.split('=') as [string, Preference])),
});
await app.service.start();
// Let the ledger take its first look at the counters (its baseline) before any payload moves.
await new Promise((resolve) => setTimeout(resolve, 1500));
const started = (await app.service.invoke('transfers.start', [{ url }])) as TransferInfo;
let info = started;
while (info.state !== 'done' && info.state !== 'failed') {
  await new Promise((resolve) => setTimeout(resolve, 100));
  info = ((await app.service.invoke('transfers.list', [])) as TransferInfo[]).find(
    (t) => t.id === started.id,
  )!;
}
// Two more counter ticks so the ledger has seen every byte of the transfer on the interfaces.
await new Promise((resolve) => setTimeout(resolve, 2500));
const usage = await app.service.invoke('usage.summary', []);
const alerts = await app.service.invoke('alerts.list', []);
process.stdout.write(`${JSON.stringify({ transfer: info, usage, alerts })}\n`);
await app.service.stop();
process.exit(0);
