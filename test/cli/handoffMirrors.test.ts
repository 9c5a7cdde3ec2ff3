import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TransferInfo } from '../../common/contract.ts';
import type { Pathwise } from '../../main/core/createPathwise.ts';
import { tempDir } from '../support/engineLab.ts';
import { deterministicContent, sha256, startRangeServer, type RangeServer } from '../support/rangeServer.ts';
import { demandLogin, holdUntilServed } from '../support/sourcesLab.ts';
import { cli, type CliRun } from './inProcess.ts';
import { startRunningApp } from '../support/runningApp.ts';

/*
 * `pathwise get URL1 URL2` and `pathwise get FILE.meta4` with the app's core running in this
 * process: the mirrors, the Metalink's name and its piece hashes travel over the handoff socket,
 * the download runs in the app's engine, and the command prints the sources as a download run in
 * the command itself would.
 */
const SIZE = 1_500_000;
const content = deterministicContent(SIZE, 78);
const LAST_MODIFIED = 'Tue, 01 Dec 2026 10:00:00 GMT';
let servers: RangeServer[];
let app: Pathwise;
let dataDir: string;

beforeEach(async () => {
  servers = [];
  for (let i = 0; i < 2; i++) {
    servers.push(await startRangeServer(content, { behaviour: { lastModified: LAST_MODIFIED } }));
  }
  dataDir = tempDir();
  app = await startRunningApp(dataDir);
});

afterEach(async () => {
  await app.service.stop();
  await Promise.all(servers.map((s) => s.close()));
});

interface Final {
  status: string;
  sha256?: string;
  file?: string;
  sources?: Array<{ url: string; bytes: number; state: string }>;
}

function final(run: CliRun): Final {
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as Final;
}

describe('pathwise get with mirrors, handed to the running app', () => {
  it('hands over the login for every mirror typed: both sites serve', async () => {
    const wanted = `Basic ${Buffer.from('me:pw-mirrors-s3cret').toString('base64')}`;
    for (const server of servers) server.behaviour.lie = demandLogin(wanted);
    const [first, second] = servers as [RangeServer, RangeServer];
    // The first site's ranges wait until the mirror has served one (loopback would do it all first).
    holdUntilServed([first], second, 'the mirror');
    const dir = tempDir();
    writeFileSync(join(dir, 'password'), 'pw-mirrors-s3cret\n', { mode: 0o600 });
    const file = join(tempDir(), 'out.bin');
    const run = await cli([
      ...['get', first.url, second.url, '-o', file, '--json', '--data-dir', dataDir],
      ...['--user', 'me', '--password-file', join(dir, 'password'), '--no-netrc'],
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(app.handed.list()).toHaveLength(1);
    const done = final(run);
    expect(done.sources?.map((s) => s.state)).not.toContain('dropped');
    // The mirror's site got the login too: its ranges were served, none refused.
    expect(second.rangeRequests().length).toBeGreaterThan(0);
    expect(readFileSync(file).equals(content)).toBe(true);
    expect(run.stdout).not.toContain('pw-mirrors-s3cret');
  });

  it('hands over the mirrors, and prints the bytes each sent', async () => {
    const [first, second] = servers as [RangeServer, RangeServer];
    const file = join(tempDir(), 'out.bin');
    const run = await cli(['get', first.url, second.url, '-o', file, '--json', '--data-dir', dataDir]);
    expect(run.code, run.stderr).toBe(0);
    const done = final(run);
    expect(done).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(done.sources?.map((s) => s.url)).toEqual([first.url, second.url]);
    expect(done.sources?.reduce((n, s) => n + s.bytes, 0)).toBeGreaterThanOrEqual(SIZE);
    // It ran in the app's engine.
    const listed = (await app.service.invoke('transfers.list', [])) as TransferInfo[];
    expect(listed.map((t) => t.file)).toEqual([file]);
    expect(listed[0]?.sources?.length).toBe(2);
    expect(readFileSync(file).equals(content)).toBe(true);
  });

  it('hands over a Metalink’s name and piece hashes', async () => {
    const [first, second] = servers as [RangeServer, RangeServer];
    const dir = tempDir();
    const piece = 1 << 20;
    const hashes = [0, piece].map(
      (at) =>
        `<hash>${createHash('sha256')
          .update(content.subarray(at, at + piece))
          .digest('hex')}</hash>`,
    );
    writeFileSync(
      join(dir, 'f.meta4'),
      `<metalink xmlns="urn:ietf:params:xml:ns:metalink"><file name="named.bin"><size>${SIZE}</size>
<pieces length="${piece}" type="sha-256">${hashes.join('')}</pieces>
<url>${first.url}</url><url>${second.url}</url></file></metalink>`,
    );
    const run = await cli(['get', join(dir, 'f.meta4'), '-o', `${dir}/`, '--json', '--data-dir', dataDir]);
    expect(run.code, run.stderr).toBe(0);
    expect(final(run)).toMatchObject({
      status: 'done',
      sha256: sha256(content),
      file: join(dir, 'named.bin'),
    });
  });
});
