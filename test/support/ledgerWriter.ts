/**
 * A process that writes to a ledger as fast as it can, for the kill -9 test:
 *   node ledgerWriter.ts DIR
 * records 64 kB app-byte events over two paths and flushes every 20 ms; after each flush it
 * prints the total bytes that flush made durable.
 */
import { Ledger } from '../../main/ledger/Ledger.ts';

const dir = process.argv[2] as string;
const { ledger } = Ledger.open({ dataDir: dir });
let recorded = 0;
let minute = Date.now();
setInterval(() => {
  for (let i = 0; i < 50; i++) {
    // Spread the rows over many minutes so each flush writes several rows per table.
    minute += 7_000;
    ledger.recordPathBytes({
      transferId: 't',
      path: i % 2 ? 'wlan0' : 'wwan0',
      direction: 'down',
      bytes: 65_536,
      at: minute,
    });
    recorded += 65_536;
  }
  ledger.flush();
  process.stdout.write(`flushed ${recorded}\n`);
}, 20);
