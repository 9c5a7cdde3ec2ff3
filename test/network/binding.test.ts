import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBindAddon, warnAddressBindingOnce, type BindAddonStatus } from '../../main/network/bindAddon.ts';
import { createBoundConnect, type BoundConnect } from '../../main/network/boundConnect.ts';
import { selfSignedCert } from '../support/selfSigned.ts';

const onLinux = process.platform === 'linux';
const noAddon: BindAddonStatus = {
  available: false,
  addon: null,
  source: null,
  file: null,
  reason: 'test: no addon',
};

/** A server that answers each request with the peer address it saw. */
function peerEcho(server: Server): Server {
  return server.on('request', (req, res) => res.end(`${req.socket.remoteAddress}`));
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port)),
  );
}

/** Wraps a connector to keep the sockets it hands to undici. */
function capturing(connect: BoundConnect): { connect: BoundConnect; sockets: Socket[] } {
  const sockets: Socket[] = [];
  const wrapped = Object.assign(
    (opts: Parameters<BoundConnect>[0], callback: Parameters<BoundConnect>[1]) =>
      connect(opts, (error, socket) => {
        if (socket) sockets.push(socket);
        if (error) callback(error, null);
        else callback(null, socket as Socket);
      }),
    {
      device: connect.device,
      localAddress: connect.localAddress,
      mode: connect.mode,
      reason: connect.reason,
    },
  );
  return { connect: wrapped, sockets };
}

/** The device a connected socket is pinned to, asked from the kernel. */
function deviceOf(socket: Socket): string | null {
  const status = loadBindAddon();
  if (!status.available) throw new Error(status.reason);
  // Node keeps the descriptor on its handle; the TLS socket wraps the TCP one.
  const tcp = ((socket as TLSSocket & { _parent?: Socket })._parent ?? socket) as Socket & {
    _handle: { fd: number };
  };
  return status.addon.socketDevice(tcp._handle.fd);
}

describe.skipIf(!onLinux)('the device-binding addon', () => {
  it('loads from the prebuild shipped for this platform', () => {
    const status = loadBindAddon({});
    expect(status).toMatchObject({ available: true, reason: null });
    expect(['prebuild', 'build']).toContain(status.source);
  });

  it('is off when PATHWISE_NO_BINDTODEVICE=1, and says so once', () => {
    const status = loadBindAddon({ PATHWISE_NO_BINDTODEVICE: '1' });
    expect(status.available).toBe(false);
    expect(status.reason).toContain('PATHWISE_NO_BINDTODEVICE=1');
    const said: string[] = [];
    expect(warnAddressBindingOnce(status, (m) => said.push(m))).toBe(true);
    expect(warnAddressBindingOnce(status, (m) => said.push(m))).toBe(false);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/by its address only: device binding is turned off/);
  });
});

/** Echo servers on loopback (IPv4, IPv6, and TLS for localhost) and the agents a test opened. */
interface LoopbackLab {
  port4: number;
  port6: number;
  tlsPort: number;
  /** The TLS server's self-signed certificate (PEM), for a connector that trusts it. */
  cert: string;
  /** An undici agent over `connect`, closed with the lab. */
  agentFor(connect: BoundConnect): Agent;
}

/** Starts a LoopbackLab before the calling describe's tests and closes it after them. */
function useLoopbackLab(): LoopbackLab {
  const servers: Server[] = [];
  const agents: Agent[] = [];
  let certDir = '';
  const lab: LoopbackLab = {
    port4: 0,
    port6: 0,
    tlsPort: 0,
    cert: '',
    agentFor(connect) {
      const agent = new Agent({ connect });
      agents.push(agent);
      return agent;
    },
  };

  beforeAll(async () => {
    const v4 = peerEcho(createServer());
    const v6 = peerEcho(createServer());
    servers.push(v4, v6);
    lab.port4 = await listen(v4, '127.0.0.1');
    lab.port6 = await listen(v6, '::1');
    const made = selfSignedCert('localhost', 'DNS:localhost');
    certDir = made.dir;
    lab.cert = made.cert;
    const tls = createHttpsServer({ cert: made.cert, key: made.key }, (req, res) =>
      res.end(`${(req.socket as TLSSocket).alpnProtocol} ${req.socket.remoteAddress}`),
    );
    servers.push(tls);
    lab.tlsPort = await listen(tls, '127.0.0.1');
  });

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.close()));
    for (const server of servers) server.close();
    rmSync(certDir, { recursive: true, force: true });
  });

  return lab;
}

describe.skipIf(!onLinux)('createBoundConnect over loopback', () => {
  const lab = useLoopbackLab();

  it('pins sockets to the device and sources them from the path address', async () => {
    const { connect, sockets } = capturing(createBoundConnect({ device: 'lo', localAddress: '127.0.0.2' }));
    expect(connect.mode).toBe('device');
    const res = await request(`http://127.0.0.1:${lab.port4}/`, { dispatcher: lab.agentFor(connect) });
    expect(await res.body.text()).toBe('127.0.0.2');
    expect(sockets.map(deviceOf)).toEqual(['lo']);
  });

  it('works over IPv6, leaving an IPv4 path address out of it', async () => {
    const { connect, sockets } = capturing(createBoundConnect({ device: 'lo', localAddress: '127.0.0.2' }));
    const res = await request(`http://[::1]:${lab.port6}/`, { dispatcher: lab.agentFor(connect) });
    expect(await res.body.text()).toBe('::1');
    expect(sockets.map(deviceOf)).toEqual(['lo']);
  });

  it('runs TLS over the pinned socket with SNI, ALPN and certificate checks', async () => {
    const { connect, sockets } = capturing(
      createBoundConnect({ device: 'lo', localAddress: '127.0.0.3', connector: { ca: lab.cert } }),
    );
    // localhost may resolve to ::1 first: the path's IPv4 address puts 127.0.0.1 first.
    const res = await request(`https://localhost:${lab.tlsPort}/`, { dispatcher: lab.agentFor(connect) });
    expect(await res.body.text()).toBe('http/1.1 127.0.0.3');
    expect(sockets.map(deviceOf)).toEqual(['lo']);

    const untrusted = createBoundConnect({ device: 'lo' });
    await expect(
      request(`https://localhost:${lab.tlsPort}/`, { dispatcher: lab.agentFor(untrusted) }),
    ).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('fails with ENODEV when the interface does not exist', async () => {
    const connect = createBoundConnect({ device: 'nosuch0' });
    await expect(
      request(`http://127.0.0.1:${lab.port4}/`, { dispatcher: lab.agentFor(connect) }),
    ).rejects.toMatchObject({
      code: 'ENODEV',
      message: expect.stringContaining('no network interface named nosuch0'),
    });
  });

  it('reports a refused connection with the device it was pinned to', async () => {
    const closed = createServer();
    const port = await listen(closed, '127.0.0.1');
    await new Promise((resolve) => closed.close(resolve));
    const connect = createBoundConnect({ device: 'lo' });
    await expect(
      request(`http://127.0.0.1:${port}/`, { dispatcher: lab.agentFor(connect) }),
    ).rejects.toMatchObject({
      code: 'ECONNREFUSED',
      message: expect.stringMatching(/ECONNREFUSED 127\.0\.0\.1:\d+ via lo/),
    });
  });
});

describe.skipIf(!onLinux)('createBoundConnect without the addon', () => {
  const lab = useLoopbackLab();

  it('falls back to binding by address when the addon is unavailable', async () => {
    const { connect, sockets } = capturing(
      createBoundConnect({ device: 'lo', localAddress: '127.0.0.4', addon: noAddon }),
    );
    expect(connect.mode).toBe('address');
    expect(connect.reason).toBe('test: no addon');
    const res = await request(`http://127.0.0.1:${lab.port4}/`, { dispatcher: lab.agentFor(connect) });
    expect(await res.body.text()).toBe('127.0.0.4');
    expect(sockets.map(deviceOf)).toEqual([null]);

    const tls = createBoundConnect({
      device: 'lo',
      localAddress: '127.0.0.5',
      addon: noAddon,
      connector: { ca: lab.cert },
    });
    const secure = await request(`https://localhost:${lab.tlsPort}/`, { dispatcher: lab.agentFor(tls) });
    expect(await secure.body.text()).toBe('http/1.1 127.0.0.5');
  });
});
