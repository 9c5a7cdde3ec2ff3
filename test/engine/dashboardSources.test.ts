/**
 * Mirrors and a login typed in the dashboard's add-download form (issue 25): `transfers.start`
 * with `mirrors` and `login` spreads the ranges over both sites, each of which refuses without the
 * login, and the login is nowhere in what the core publishes or keeps on disk.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TransferInfo } from '../../common/contract.ts';
import { createPathwise, type Pathwise } from '../../main/core/createPathwise.ts';
import { basicAuthorization } from '../../main/engine/requestAuth.ts';
import { tempDir, until } from '../support/engineLab.ts';
import { deterministicContent, sha256, startRangeServer, type RangeServer } from '../support/rangeServer.ts';
import { demandLogin, holdUntilServed } from '../support/sourcesLab.ts';

const SIZE = 2_000_000;
const content = deterministicContent(SIZE, 93);
const PASSWORD = 'pw-dashboard-s3cret';
const WANTED = basicAuthorization('me', PASSWORD);
let servers: RangeServer[];
let app: Pathwise;
let downloads: string;
let dataDir: string;
let published: string[];

beforeEach(async () => {
  servers = [];
  for (let i = 0; i < 2; i++)
    servers.push(
      await startRangeServer(content, {
        behaviour: { lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT', lie: demandLogin(WANTED) },
      }),
    );
  downloads = tempDir();
  dataDir = tempDir();
  app = await createPathwise({
    shell: 'headless',
    dataDir,
    env: { XDG_DOWNLOAD_DIR: downloads, PATHWISE_PROBE_URL: 'http://127.0.0.1:9/' },
  });
  published = [];
  app.service.subscribe((channel, payload) => published.push(JSON.stringify({ channel, payload })));
  await app.service.start();
});

afterEach(async () => {
  await app.service.stop();
  await Promise.all(servers.map((s) => s.close()));
});

/** Every file under `dir`, read as text. */
function filesUnder(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name)).toString('latin1'))
    .join('\n');
}

describe('transfers.start with mirrors and a login from the dashboard', () => {
  it('fetches from both sites with the login, and keeps it nowhere', async () => {
    const [first, mirror] = servers as [RangeServer, RangeServer];
    // The first site's ranges wait until the mirror has served one (loopback would do it all first).
    holdUntilServed([first], mirror, 'the mirror');
    const started = (await app.service.invoke('transfers.start', [
      { url: first.url, paths: ['lo'], mirrors: [mirror.url], login: { user: 'me', password: PASSWORD } },
    ])) as TransferInfo;
    await until(() => app.transfers.list()[0]?.state === 'done', 30_000, 'the download done');
    const [info] = (await app.service.invoke('transfers.list', [])) as TransferInfo[];
    expect(info?.id).toBe(started.id);
    expect(info?.sha256).toBe(sha256(content));
    expect(info?.sources?.map((s) => s.url)).toEqual([first.url, mirror.url]);
    expect(info?.sources?.map((s) => s.state)).not.toContain('dropped');
    expect(mirror.rangeRequests().length).toBeGreaterThan(0);
    expect(readFileSync(join(downloads, 'file.bin')).equals(content)).toBe(true);
    const secret = [PASSWORD, Buffer.from(`me:${PASSWORD}`).toString('base64')];
    for (const text of [
      published.join('\n'),
      JSON.stringify(info),
      filesUnder(dataDir),
      filesUnder(downloads),
    ])
      for (const s of secret) expect(text).not.toContain(s);
  });

  it('without the login, the site’s refusal says a login is needed', async () => {
    await app.service.invoke('transfers.start', [{ url: (servers[0] as RangeServer).url, paths: ['lo'] }]);
    await until(() => app.transfers.list()[0]?.state === 'failed', 30_000, 'the download failed');
    const [info] = (await app.service.invoke('transfers.list', [])) as TransferInfo[];
    expect(info?.error?.code).toBe('E_AUTH');
  });

  it('refuses a mirror that is not a web address, and a user name with a colon, before anything starts', async () => {
    const url = (servers[0] as RangeServer).url;
    await expect(
      app.service.invoke('transfers.start', [{ url, mirrors: ['ftp://old.example.net/file.bin'] }]),
    ).rejects.toMatchObject({ code: 'E_BAD_REQUEST' });
    await expect(
      app.service.invoke('transfers.start', [{ url, login: { user: 'a:b', password: PASSWORD } }]),
    ).rejects.toThrow(/no colon/);
    await expect(
      app.service.invoke('transfers.start', [{ url, login: { user: 'me', password: PASSWORD } }]),
    ).resolves.toBeDefined();
    // The refusal never quotes what was typed.
    await expect(
      app.service.invoke('transfers.start', [{ url, login: { user: 'me', password: `${PASSWORD}\n` } }]),
    ).rejects.not.toThrow(PASSWORD);
  });
});
