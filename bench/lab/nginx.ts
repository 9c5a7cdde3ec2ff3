/**
 * The server every tool downloads from: one nginx in the lab's server namespace, serving the
 * bench's files (sendfile) and a 204 for health probes.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_ADDRESS, type NetLab } from '../../test/support/netns.ts';
import { sleep } from './sleep.ts';

const PORT = 8080;
/** The file each scenario measures (`BenchLab.size` bytes). */
export const FILE_URL = `http://${SERVER_ADDRESS}:${PORT}/file.bin`;
/** 1 MiB: what priming downloads, and the running tools' earlier download in the fault races. */
export const EARLIER_URL = `http://${SERVER_ADDRESS}:${PORT}/earlier.bin`;
/** The health probe Pathwise's running core is pointed at, so it never probes the real internet. */
export const PROBE_URL = `http://${SERVER_ADDRESS}:${PORT}/generate_204`;

export async function startNginx(lab: NetLab, root: string): Promise<ChildProcess> {
  return runNginx(
    lab,
    `server { listen ${SERVER_ADDRESS}:${PORT}; root ${root}; location / { } location = /generate_204 { return 204; } }`,
    FILE_URL,
  );
}

/** The measured file from a second port: a mirror of FILE_URL (same ETag and Last-Modified, a copy that kept its times). */
export const MIRROR_URL = `http://${SERVER_ADDRESS}:8081/file.bin`;
/** A third port serving another file of the same size under the same name: a mirror that lies. */
export const WRONG_MIRROR_URL = `http://${SERVER_ADDRESS}:8082/file.bin`;

/**
 * The mirrors scenario's other servers, a second nginx beside the first: MIRROR_URL from `root`
 * (the measured file's folder) and WRONG_MIRROR_URL from `wrongRoot`.
 */
export async function startMirrors(lab: NetLab, root: string, wrongRoot: string): Promise<ChildProcess> {
  return runNginx(
    lab,
    `server { listen ${SERVER_ADDRESS}:8081; root ${root}; location / { } }
  server { listen ${SERVER_ADDRESS}:8082; root ${wrongRoot}; location / { } }`,
    MIRROR_URL,
  );
}

/** nginx in the server namespace with `servers`, once `probe` answers. */
async function runNginx(lab: NetLab, servers: string, probe: string): Promise<ChildProcess> {
  const prefix = mkdtempSync('/tmp/pw-bench-nginx-');
  mkdirSync(join(prefix, 'tmp'));
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
error_log stderr warn;
pid ${prefix}/nginx.pid;
events { worker_connections 512; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path ${prefix}/tmp; proxy_temp_path ${prefix}/tmp; fastcgi_temp_path ${prefix}/tmp;
  uwsgi_temp_path ${prefix}/tmp; scgi_temp_path ${prefix}/tmp;
  ${servers}
}
`,
  );
  const nginx = lab.spawnIn('server', 'nginx', ['-p', prefix, '-c', conf, '-g', 'daemon off;']);
  for (let i = 0; i < 50; i++) {
    const ok = await lab
      .inClient(['curl', '-sf', '-o', '/dev/null', '-r', '0-0', probe])
      .then(() => true)
      .catch(() => false);
    if (ok) return nginx;
    await sleep(100);
  }
  throw new Error('nginx did not come up');
}
