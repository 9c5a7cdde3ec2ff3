/**
 * The app's core (createPathwise: monitor, engine, ledger) run inside a lab namespace for the
 * health-verdict tests and bench (issue 23):
 *   node healthApp.ts DATA_DIR '{"probeIntervalMs":3000,"preferences":{"wlan0":"always"}}'
 * Prints one JSON line per push the UI would get that matters here — `{"ev":"pathEvent",...}`,
 * `{"ev":"continuity",...}`, `{"ev":"alert",...}`, `{"ev":"transfers","list":[...]}` — and
 * reads commands from stdin, one JSON object a line:
 *   {"cmd":"start","url":"…","mode":"handover"}       → {"ev":"started","id":"…"}
 *   {"cmd":"invoke","channel":"paths.openPortal","args":["usb0"]} → {"ev":"result","ok":…,"value"|"error"}
 *   {"cmd":"quit"}
 * The first line is {"ev":"ready"} once the service runs.
 */
import { createInterface } from 'node:readline';
import type { Settings } from '../../common/contract.ts';
import { createPathwise } from '../../main/core/createPathwise.ts';

const [dataDir, settingsJson = '{}'] = process.argv.slice(2) as [string, string?];
/** Every line carries `t`, this machine's clock when it was said (the test compares it with its own). */
const say = (line: object): void =>
  void process.stdout.write(`${JSON.stringify({ ...line, t: Date.now() })}\n`);

const app = await createPathwise({ shell: 'headless', dataDir });
app.service.subscribe((channel, payload) => {
  if (channel === 'pathEvent') say({ ev: 'pathEvent', ...payload });
  else if (channel === 'continuity') say({ ev: 'continuity', ...payload });
  else if (channel === 'alert') say({ ev: 'alert', ...payload });
  else if (channel === 'transfers') say({ ev: 'transfers', list: payload });
});
await app.settings.update({
  downloadDir: `${dataDir}/downloads`,
  ...(JSON.parse(settingsJson) as Partial<Settings>),
});
await app.service.start();
say({ ev: 'ready' });

async function handle(command: { cmd: string; [key: string]: unknown }): Promise<boolean> {
  if (command.cmd === 'quit') return false;
  try {
    if (command.cmd === 'start') {
      const { cmd: _cmd, ...request } = command;
      const info = (await app.service.invoke('transfers.start', [request])) as { id: string };
      say({ ev: 'started', id: info.id });
    } else if (command.cmd === 'invoke') {
      const value = await app.service.invoke(command['channel'], command['args']);
      say({ ev: 'result', ok: true, value });
    }
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    say({ ev: 'result', ok: false, error: { code, message } });
  }
  return true;
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  if (!(await handle(JSON.parse(line) as { cmd: string }))) break;
}
await app.service.stop();
process.exit(0);
