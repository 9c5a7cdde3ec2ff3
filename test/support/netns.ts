/**
 * A laptop-shaped network built from Linux network namespaces, for tests and benchmarks.
 *
 *   client namespace (the "laptop")          server namespace (the "internet")
 *   wlan0 198.18.1.2/24  <-- veth -->  s-wlan0 198.18.1.1/24
 *   wwan0 198.18.2.2/24  <-- veth -->  s-wwan0 198.18.2.1/24
 *                                      lo: SERVER_ADDRESS 198.19.0.1 (reachable over every path)
 *
 * The client gets source-based policy routing (one table per path), so a socket bound to a
 * path's address leaves through that path, plus a main-table default via the first path.
 * With `ipv6`, a path also gets fd00:198:18:<n>::2/64 (gateway ::1; the server SERVER_ADDRESS6 on
 * its lo), routed the same way; `ipv4: false` leaves a path with IPv6 only. `hosts` gives the
 * client namespace names to resolve (/etc/netns/<client>/hosts, which `ip netns exec` mounts).
 * Paths can instead go without policy rules (`policyRouting: false`) and carry NetworkManager-
 * style per-device defaults (`metric`), as most Linux laptops do; `replyViaIngress` makes the
 * server answer through the veth a connection came in on, as the NAT of that network would.
 * Shaping uses tbf on both ends (server side shapes downloads); cuts use `ip link set down`;
 * blackholes use iptables DROP. Names carry the creating PID so parallel runs never collide,
 * and namespaces left by dead processes are swept on the next create.
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SERVER_ADDRESS = '198.19.0.1';
/** The server's IPv6 address (a ULA of the lab's own fd00:198:18::/48), with `ipv6` paths. */
export const SERVER_ADDRESS6 = 'fd00:198:18:ff::1';

export interface LabPathSpec {
  /** Interface name inside the client namespace, e.g. wlan0, wwan0, usb0. */
  name: string;
  /** Download rate limit in Mbit/s (server → client); unshaped when absent. */
  downMbit?: number;
  /** Upload rate limit in Mbit/s (client → server). */
  upMbit?: number;
  /** Add a route + rule for this path (default true). Issue 4's tests use false. */
  policyRouting?: boolean;
  /**
   * Also give this path a main-table default route with this metric, as NetworkManager does for
   * every connected device (ethernet 100, wifi 600, wwan 700). The first path always has one.
   */
  metric?: number;
  /** Give the path an IPv6 address (fd00:198:18:<n>::2/64) as well. */
  ipv6?: boolean;
  /** false: no IPv4 address at all (an IPv6-only path; needs `ipv6`). */
  ipv4?: boolean;
}

export interface LabOptions {
  /**
   * Send the server's replies back through the veth each connection came in on, as the NAT of the
   * real network a packet left by would (connmark + fwmark rules in the server namespace). Without
   * it, replies follow the server's routes to the client's source subnet.
   */
  replyViaIngress?: boolean;
  /** Names the client namespace resolves: name → its addresses. */
  hosts?: Record<string, string[]>;
}

export interface LabPath extends Required<Pick<LabPathSpec, 'name'>> {
  index: number;
  /** '' on an IPv6-only path. */
  clientAddress: string;
  gateway: string;
  /** With `ipv6`: fd00:198:18:<index>::2 and its gateway ::1. */
  clientAddress6?: string;
  gateway6?: string;
  serverIf: string;
  metric?: number;
}

let counter = 0;

export function canUseNetns(): boolean {
  return process.getuid?.() === 0 && (existsSync('/usr/sbin/ip') || existsSync('/sbin/ip'));
}

async function sh(args: string[]): Promise<string> {
  try {
    const { stdout } = await run(args[0] as string, args.slice(1), { maxBuffer: 1 << 20 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`, { cause: error });
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Remove namespaces that earlier (crashed) test runs left behind. */
export async function sweepStaleNamespaces(): Promise<void> {
  let names: string[];
  try {
    names = await readdir('/run/netns');
  } catch {
    return;
  }
  for (const ns of names) {
    const match = /^pw[cs]-(\d+)-\d+$/.exec(ns);
    if (match && !pidAlive(Number(match[1]))) await sh(['ip', 'netns', 'del', ns]).catch(() => undefined);
  }
}

export class NetLab {
  readonly client: string;
  readonly server: string;
  readonly paths: LabPath[] = [];
  private readonly children = new Set<ChildProcess>();
  private replyViaIngress = false;

  private constructor(id: string) {
    this.client = `pwc-${id}`;
    this.server = `pws-${id}`;
  }

  static async create(specs: LabPathSpec[], options: LabOptions = {}): Promise<NetLab> {
    await sweepStaleNamespaces();
    const lab = new NetLab(`${process.pid}-${counter++}`);
    lab.replyViaIngress = options.replyViaIngress ?? false;
    try {
      await lab.build(specs);
      if (options.hosts) lab.writeHosts(options.hosts);
    } catch (error) {
      await lab.destroy();
      throw error;
    }
    return lab;
  }

  path(name: string): LabPath {
    const found = this.paths.find((p) => p.name === name);
    if (!found) throw new Error(`no lab path ${name}`);
    return found;
  }

  private async build(specs: LabPathSpec[]): Promise<void> {
    await sh(['ip', 'netns', 'add', this.client]);
    await sh(['ip', 'netns', 'add', this.server]);
    await this.inClient(['ip', 'link', 'set', 'lo', 'up']);
    await this.inServer(['ip', 'link', 'set', 'lo', 'up']);
    await this.inServer(['ip', 'addr', 'add', `${SERVER_ADDRESS}/32`, 'dev', 'lo']);
    await this.inServer(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    if (specs.some((spec) => spec.ipv6)) {
      await this.inServer(['ip', '-6', 'addr', 'add', `${SERVER_ADDRESS6}/128`, 'dev', 'lo']);
      // A cut (link down) keeps the path's IPv6 address, as it keeps its IPv4 one.
      await this.inClient(['sysctl', '-qw', 'net.ipv6.conf.all.keep_addr_on_down=1']);
    }
    for (const [i, spec] of specs.entries()) {
      const index = i + 1;
      const serverIf = `s-${spec.name}`.slice(0, 15);
      const v4 = spec.ipv4 !== false;
      const path: LabPath = {
        name: spec.name,
        index,
        clientAddress: v4 ? `198.18.${index}.2` : '',
        gateway: v4 ? `198.18.${index}.1` : '',
        serverIf,
        ...(spec.metric === undefined ? {} : { metric: spec.metric }),
        ...(spec.ipv6
          ? { clientAddress6: `fd00:198:18:${index}::2`, gateway6: `fd00:198:18:${index}::1` }
          : {}),
      };
      await sh(
        ['ip', '-n', this.client, 'link', 'add', spec.name, 'type', 'veth'].concat([
          'peer',
          'name',
          serverIf,
          'netns',
          this.server,
        ]),
      );
      if (v4) {
        await this.inClient(['ip', 'addr', 'add', `${path.clientAddress}/24`, 'dev', spec.name]);
        await this.inServer(['ip', 'addr', 'add', `${path.gateway}/24`, 'dev', serverIf]);
      }
      if (path.clientAddress6 && path.gateway6) {
        // nodad: usable at once, not after Duplicate Address Detection's second or two.
        await this.inClient([
          'ip',
          '-6',
          'addr',
          'add',
          `${path.clientAddress6}/64`,
          'dev',
          spec.name,
          'nodad',
        ]);
        await this.inServer(['ip', '-6', 'addr', 'add', `${path.gateway6}/64`, 'dev', serverIf, 'nodad']);
      }
      await this.inClient(['ip', 'link', 'set', spec.name, 'up']);
      await this.inServer(['ip', 'link', 'set', serverIf, 'up']);
      const firstOf = (family: 'v4' | 'v6'): boolean =>
        !this.paths.some((p) => (family === 'v4' ? p.clientAddress !== '' : p.clientAddress6 !== undefined));
      if (v4) await this.routeIpv4(path, spec, firstOf('v4'));
      if (spec.ipv6) await this.routeIpv6(path, spec, firstOf('v6'));
      if (this.replyViaIngress) await this.routeRepliesViaIngress(path);
      if (spec.downMbit) await this.shape(spec.name, spec.downMbit, 'down');
      if (spec.upMbit) await this.shape(spec.name, spec.upMbit, 'up');
      this.paths.push(path);
    }
  }

  /** The path's IPv4 table and rule (policy routing), and a main-table default where due. */
  private async routeIpv4(path: LabPath, spec: LabPathSpec, first: boolean): Promise<void> {
    if (spec.policyRouting !== false) {
      const table = String(100 + path.index);
      await this.inClient([
        'ip',
        'route',
        'add',
        'default',
        'via',
        path.gateway,
        'dev',
        spec.name,
        'table',
        table,
      ]);
      await this.inClient(
        ['ip', 'rule', 'add', 'from', path.clientAddress].concat([
          'table',
          table,
          'priority',
          String(1000 + path.index),
        ]),
      );
    }
    if (first || spec.metric !== undefined)
      await this.inClient(['ip', 'route', 'add', ...this.mainDefault(path)]);
  }

  /** The same for the path's IPv6 address. */
  private async routeIpv6(path: LabPath, spec: LabPathSpec, first: boolean): Promise<void> {
    const gateway = path.gateway6 as string;
    if (spec.policyRouting !== false) {
      const table = String(100 + path.index);
      await this.inClient([
        'ip',
        '-6',
        'route',
        'replace',
        'default',
        'via',
        gateway,
        'dev',
        spec.name,
        'table',
        table,
      ]);
      await this.inClient(
        ['ip', '-6', 'rule', 'add', 'from', path.clientAddress6 as string].concat([
          'table',
          table,
          'priority',
          String(1000 + path.index),
        ]),
      );
    }
    if (first || spec.metric !== undefined) {
      const metric = spec.metric === undefined ? [] : ['metric', String(spec.metric)];
      await this.inClient([
        'ip',
        '-6',
        'route',
        'replace',
        'default',
        'via',
        gateway,
        'dev',
        spec.name,
        ...metric,
      ]);
    }
  }

  /** /etc/netns/<client>/hosts, which `ip netns exec` mounts over /etc/hosts in the client. */
  private writeHosts(hosts: Record<string, string[]>): void {
    const folder = `/etc/netns/${this.client}`;
    mkdirSync(folder, { recursive: true });
    const lines = Object.entries(hosts).flatMap(([name, addresses]) => addresses.map((a) => `${a} ${name}`));
    writeFileSync(`${folder}/hosts`, `127.0.0.1 localhost\n::1 localhost\n${lines.join('\n')}\n`);
  }

  /** The main-table default route through a path (first path, or a path with a metric). */
  private mainDefault(path: LabPath): string[] {
    const metric = path.metric === undefined ? [] : ['metric', String(path.metric)];
    return ['default', 'via', path.gateway, 'dev', path.name, ...metric];
  }

  private async routeRepliesViaIngress(path: LabPath): Promise<void> {
    const mark = String(path.index);
    const table = String(200 + path.index);
    await this.inServer([
      'iptables',
      '-t',
      'mangle',
      '-A',
      'PREROUTING',
      '-i',
      path.serverIf,
      '-m',
      'conntrack',
      '--ctstate',
      'NEW',
      '-j',
      'CONNMARK',
      '--set-mark',
      mark,
    ]);
    if (path.index === 1)
      await this.inServer(['iptables', '-t', 'mangle', '-A', 'OUTPUT', '-j', 'CONNMARK', '--restore-mark']);
    await this.inServer([
      'ip',
      'rule',
      'add',
      'fwmark',
      mark,
      'table',
      table,
      'priority',
      String(2000 + path.index),
    ]);
    await this.inServer([
      'ip',
      'route',
      'replace',
      'default',
      'via',
      path.clientAddress,
      'dev',
      path.serverIf,
      'table',
      table,
    ]);
  }

  inClient(args: string[]): Promise<string> {
    return sh(['ip', 'netns', 'exec', this.client, ...args]);
  }

  inServer(args: string[]): Promise<string> {
    return sh(['ip', 'netns', 'exec', this.server, ...args]);
  }

  /** Start a long-running process in a namespace; it is killed on destroy(). */
  spawnIn(
    ns: 'client' | 'server',
    command: string,
    args: string[],
    options: SpawnOptions = {},
  ): ChildProcess {
    const name = ns === 'client' ? this.client : this.server;
    const child = spawn('ip', ['netns', 'exec', name, command, ...args], { stdio: 'pipe', ...options });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Token-bucket rate limit on one direction of a path ('down' shapes server → client). */
  async shape(name: string, mbit: number, direction: 'down' | 'up' = 'down'): Promise<void> {
    const path = this.paths.find((p) => p.name === name);
    const dev = direction === 'down' ? (path?.serverIf ?? `s-${name}`.slice(0, 15)) : name;
    const exec = direction === 'down' ? this.inServer.bind(this) : this.inClient.bind(this);
    // burst ≈ 10 ms of traffic (min 16 KiB) keeps the shaped rate steady at small time scales.
    const burst = Math.max(16 * 1024, Math.round((mbit * 1e6) / 8 / 100));
    await exec([
      'tc',
      'qdisc',
      'replace',
      'dev',
      dev,
      'root',
      'tbf',
      'rate',
      `${mbit}mbit`,
      'burst',
      String(burst),
      'latency',
      '50ms',
    ]);
  }

  async unshape(name: string, direction: 'down' | 'up' = 'down'): Promise<void> {
    const dev = direction === 'down' ? this.path(name).serverIf : name;
    const exec = direction === 'down' ? this.inServer.bind(this) : this.inClient.bind(this);
    await exec(['tc', 'qdisc', 'del', 'dev', dev, 'root']).catch(() => undefined);
  }

  /** A visible cut: the client's link goes down (the monitor sees it, sockets get errors). */
  async cut(name: string): Promise<void> {
    await this.inClient(['ip', 'link', 'set', name, 'down']);
  }

  async restore(name: string): Promise<void> {
    const path = this.path(name);
    await this.inClient(['ip', 'link', 'set', name, 'up']);
    // Routes through a downed link are flushed by the kernel: put them back.
    await this.inClient([
      'ip',
      'route',
      'replace',
      'default',
      'via',
      path.gateway,
      'dev',
      name,
      'table',
      String(100 + path.index),
    ]).catch(() => undefined);
    if (path.index === 1 || path.metric !== undefined)
      await this.inClient(['ip', 'route', 'replace', ...this.mainDefault(path)]).catch(() => undefined);
    if (path.gateway6) {
      const table = ['table', String(100 + path.index)];
      await this.inClient([
        'ip',
        '-6',
        'route',
        'replace',
        'default',
        'via',
        path.gateway6,
        'dev',
        name,
        ...table,
      ]).catch(() => undefined);
    }
    if (this.replyViaIngress) {
      await this.inServer([
        'ip',
        'route',
        'replace',
        'default',
        'via',
        path.clientAddress,
        'dev',
        path.serverIf,
        'table',
        String(200 + path.index),
      ]).catch(() => undefined);
    }
  }

  /** A silent blackhole: the link stays up but nothing comes back (like Wi-Fi with no internet). */
  async blackhole(name: string): Promise<void> {
    const dev = this.path(name).serverIf;
    await this.inServer(['iptables', '-I', 'INPUT', '-i', dev, '-j', 'DROP']);
    await this.inServer(['iptables', '-I', 'FORWARD', '-i', dev, '-j', 'DROP']);
  }

  async unblackhole(name: string): Promise<void> {
    const dev = this.path(name).serverIf;
    await this.inServer(['iptables', '-D', 'INPUT', '-i', dev, '-j', 'DROP']).catch(() => undefined);
    await this.inServer(['iptables', '-D', 'FORWARD', '-i', dev, '-j', 'DROP']).catch(() => undefined);
  }

  /** rx/tx bytes of a client interface, from its own kernel counters. */
  async counters(name: string): Promise<{ rx: number; tx: number }> {
    const out = await this.inClient([
      'cat',
      `/sys/class/net/${name}/statistics/rx_bytes`,
      `/sys/class/net/${name}/statistics/tx_bytes`,
    ]);
    const [rx, tx] = out.trim().split('\n').map(Number);
    return { rx: rx ?? 0, tx: tx ?? 0 };
  }

  /**
   * The counters once `name` has received nothing for `quietMs`: what an earlier test's
   * connections still had in flight (a shaper's queue drains after its process is gone) is not
   * counted as the next test's traffic.
   */
  async settledCounters(name: string, quietMs = 300, timeoutMs = 5000): Promise<{ rx: number; tx: number }> {
    const started = Date.now();
    let last = await this.counters(name);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      const now = await this.counters(name);
      if (now.rx === last.rx || Date.now() - started > timeoutMs) return now;
      last = now;
    }
  }

  async destroy(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all(
      [...this.children].map(
        (c) => new Promise<void>((done) => (c.exitCode !== null ? done() : c.once('exit', () => done()))),
      ),
    );
    // What those children left behind (nginx's workers outlive a killed master, holding our
    // pipes open so this process could never exit): every process still in either namespace.
    for (const ns of [this.client, this.server]) {
      const pids = await sh(['ip', 'netns', 'pids', ns]).catch(() => '');
      for (const pid of pids
        .split('\n')
        .map(Number)
        .filter((p) => p > 0 && p !== process.pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await sh(['ip', 'netns', 'del', this.client]).catch(() => undefined);
    await sh(['ip', 'netns', 'del', this.server]).catch(() => undefined);
    rmSync(`/etc/netns/${this.client}`, { recursive: true, force: true });
  }
}
