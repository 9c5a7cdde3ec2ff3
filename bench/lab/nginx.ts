/**
 * The server every tool downloads from: one nginx in the lab's server namespace, serving the
 * bench's files (sendfile) and a 204 for health probes.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** The measured file from a server that answers 503 (with Retry-After) to a client asking too much. */
export const PUSHBACK_URL = `http://${SERVER_ADDRESS}:8083/file.bin`;
/** The same file from a server that answers 429 (with Retry-After) instead. */
export const TOO_MANY_URL = `http://${SERVER_ADDRESS}:8084/file.bin`;

/**
 * What the pushback servers allow each client address (each path: the lab has no NAT): this many
 * requests in flight (`limit_conn`), this many a second with a burst of `burst` more
 * (`limit_req ... nodelay`); beyond either the request is refused at once with the port's status
 * and `Retry-After: retryAfterS`, as a busy mirror or an API gateway would.
 */
export const PUSHBACK_LIMITS = { connections: 1, perSecond: 1, burst: 1, retryAfterS: 1 } as const;

/** One server of the pushback scenario: its port, what it refuses with, and its own zones. */
function limitedServer(port: number, status: number, root: string, log: string): string {
  const { connections, perSecond, burst } = PUSHBACK_LIMITS;
  return `limit_req_zone $binary_remote_addr zone=req${port}:1m rate=${perSecond}r/s;
  limit_conn_zone $binary_remote_addr zone=conn${port}:1m;
  server {
    listen ${SERVER_ADDRESS}:${port}; root ${root}; access_log ${log} pushback;
    location / {
      limit_req zone=req${port} burst=${burst} nodelay; limit_req_status ${status};
      limit_conn conn${port} ${connections}; limit_conn_status ${status};
      add_header Retry-After $pushback_retry_after always;
    }
    location = /generate_204 { return 204; }
  }`;
}

/**
 * The pushback scenario's servers, a second nginx beside the first: PUSHBACK_URL (503) and
 * TOO_MANY_URL (429) from `root`, with the limits above, every request logged to `log` as
 * "msec port client status body-bytes conn-limit rate-limit" (the last two say which limit refused
 * it: REJECTED; each run's share is read from the offset it started at).
 */
export async function startPushback(lab: NetLab, root: string, log: string): Promise<ChildProcess> {
  const { retryAfterS } = PUSHBACK_LIMITS;
  return runNginx(
    lab,
    `log_format pushback '$msec $server_port $remote_addr $status $body_bytes_sent $limit_conn_status $limit_req_status';
  # Only the refusals carry a Retry-After (add_header leaves out an empty value).
  map $status $pushback_retry_after { 429 ${retryAfterS}; 503 ${retryAfterS}; default ''; }
  ${limitedServer(8083, 503, root, log)}
  ${limitedServer(8084, 429, root, log)}`,
    `http://${SERVER_ADDRESS}:8083/generate_204`,
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
  // Its config, pid and temp files go with it (a lab stops it when the scenario ends).
  nginx.once('exit', () => rmSync(prefix, { recursive: true, force: true }));
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
