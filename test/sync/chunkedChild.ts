/**
 * One sync run in a process of its own, for a test to kill -9 in the middle of a chunked upload:
 * `node chunkedChild.ts '<json>'` with the job's local folder, server URL, journal folder, login
 * and rate. It runs until it ends or is killed.
 */
import { createPathAgent } from '../../main/engine/pathAgent.ts';
import { SyncSession } from '../../main/sync/SyncSession.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as {
  local: string;
  url: string;
  journal: string;
  user: string;
  rateBps: number;
};
const session = new SyncSession({
  job: {
    name: 'killed',
    local: args.local,
    remote: args.url,
    user: args.user,
    password: null,
    everyMinutes: null,
    onPathChange: false,
    batteryMinPercent: null,
    policy: { kind: 'any', meteredBytes: null },
    paths: null,
    rateBps: args.rateBps,
    maxDeleteShare: 0.5,
    keepDays: 30,
    paused: false,
    createdAt: Date.now(),
  },
  journalDir: args.journal,
  password: process.env['PW_CHILD_PASSWORD'] ?? null,
  paths: () => [
    { name: 'a', type: 'wifi', addresses: ['127.0.0.2'], up: true, metered: false, preference: 'always' },
  ],
  agentFactory: (p) => createPathAgent(p),
  plans: () => ({}),
  settings: { quietMs: 200 },
});
await session.run();
await session.close();
