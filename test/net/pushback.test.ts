/**
 * Servers that push back, played by nginx in the namespace lab (issue 25): `limit_conn` (one
 * request at a time per client address, the others answered 503) and `limit_req` (a request rate
 * per client address, the excess answered 429). Each of the lab's paths is its own client address
 * to nginx, as two networks would be. `pathwise get` finishes the file over both paths without
 * losing either, keeping to what the server allows.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runPathwise } from '../support/cli.ts';
import { tempDir } from '../support/engineLab.ts';
import { NetLab, SERVER_ADDRESS } from '../support/netns.ts';
import { deterministicContent, sha256 } from '../support/rangeServer.ts';
import { describeNeeding, file, netnsNeeds } from '../support/rootOnly.ts';

const SIZE = 6_000_000;
const content = deterministicContent(SIZE, 256);
const BASE = `http://${SERVER_ADDRESS}:8080`;

let lab: NetLab;
let prefix: string;

/** nginx in the server namespace: /conn/ held to one request per client, /req/ to one a second. */
async function startNginx(): Promise<ChildProcess> {
  prefix = mkdtempSync('/tmp/pw-pushback-nginx-');
  // nginx's workers drop root: they must be able to read the files.
  chmodSync(prefix, 0o755);
  const root = join(prefix, 'root');
  for (const dir of ['tmp', 'root/conn', 'root/req']) mkdirSync(join(prefix, dir), { recursive: true });
  writeFileSync(join(root, 'file.bin'), content);
  linkSync(join(root, 'file.bin'), join(root, 'conn', 'file.bin'));
  linkSync(join(root, 'file.bin'), join(root, 'req', 'file.bin'));
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
    (t) => `${t}_temp_path ${prefix}/tmp;`,
  );
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `worker_processes 1;
error_log stderr warn;
pid ${prefix}/nginx.pid;
events { worker_connections 512; }
http {
  log_format brief '$remote_addr $status $uri';
  access_log ${prefix}/access.log brief;
  sendfile on;
  keepalive_requests 100000;
  ${temp.join(' ')}
  limit_conn_zone $binary_remote_addr zone=perclient:1m;
  limit_req_zone $binary_remote_addr zone=rate:1m rate=1r/s;
  limit_conn_status 503;
  limit_req_status 429;
  server {
    listen ${SERVER_ADDRESS}:8080;
    root ${root};
    location /conn/ { limit_conn perclient 1; }
    location /req/ { limit_req zone=rate nodelay; }
    location = /generate_204 { return 204; }
  }
}
`,
  );
  const nginx = lab.spawnIn('server', 'nginx', [
    '-p',
    prefix,
    '-c',
    join(prefix, 'nginx.conf'),
    '-g',
    'daemon off;',
  ]);
  for (let i = 0; i < 50; i++) {
    const up = await lab
      .inClient(['curl', '-sf', '-o', '/dev/null', `${BASE}/generate_204`])
      .then(() => true)
      .catch(() => false);
    if (up) return nginx;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('nginx did not come up');
}

/** What nginx answered for `location`, status by status. */
function statuses(location: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of readFileSync(join(prefix, 'access.log'), 'utf8').split('\n')) {
    const [, status, uri] = line.split(' ');
    if (status && uri?.startsWith(location)) counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
}

interface Line {
  type?: string;
  kind?: string;
  status?: string;
  sha256?: string;
}

/** `pathwise get` of `path` over both lab paths: its JSON lines and how it ended. */
async function get(path: string): Promise<{ lines: Line[]; code: number; stderr: string }> {
  const args = [
    'get',
    `${BASE}${path}`,
    '-o',
    join(tempDir(), 'out.bin'),
    '--json',
    '--paths',
    'wlan0,wwan0',
  ];
  const run = await runPathwise(args, { netns: lab.client, timeoutMs: 100_000 });
  const lines = run.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
  return { lines, code: run.code, stderr: run.stderr };
}

beforeAll(async () => {
  lab = await NetLab.create([
    { name: 'wlan0', downMbit: 16 },
    { name: 'wwan0', downMbit: 8 },
  ]);
  await startNginx();
});
afterAll(async () => {
  await lab?.destroy();
  if (prefix) rmSync(prefix, { recursive: true, force: true });
});

describeNeeding([...netnsNeeds(), file('nginx', '/usr/sbin/nginx')])(
  'pathwise get against nginx that pushes back',
  () => {
    it('keeps to one connection per path under limit_conn (503 to the others), losing no path', async () => {
      const run = await get('/conn/file.bin');
      expect(run.code, run.stderr).toBe(0);
      expect(run.lines.at(-1)).toMatchObject({ status: 'done', sha256: sha256(content) });
      expect(statuses('/conn/')['503'], 'nginx turned requests away').toBeGreaterThan(0);
      expect(run.lines.filter((l) => l.type === 'continuity' && l.kind === 'path-lost')).toEqual([]);
    }, 120_000);

    it('slows down under limit_req (429 beyond a request a second), losing no path', async () => {
      const run = await get('/req/file.bin');
      expect(run.code, run.stderr).toBe(0);
      expect(run.lines.at(-1)).toMatchObject({ status: 'done', sha256: sha256(content) });
      expect(statuses('/req/')['429'], 'nginx turned requests away').toBeGreaterThan(0);
      expect(run.lines.filter((l) => l.type === 'continuity' && l.kind === 'path-lost')).toEqual([]);
    }, 120_000);
  },
);
