/**
 * The lab a scenario runs in: the network namespaces (client "laptop" and server "internet"),
 * nginx serving the file to download, that file and its hash, and the folder the tools write to
 * (in /dev/shm, so no disk speed enters a figure). Each scenario sets up its own paths; the first
 * setup also primes every tool.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NetLab, type LabPathSpec } from '../../test/support/netns.ts';
import { MiB } from '../measure.ts';
import { primeTools } from '../tools/prime.ts';
import { startNginx } from './nginx.ts';
import { makeFile } from './testFile.ts';

export interface BenchContext {
  /** The file most scenarios download, in MiB (`--size`). */
  sizeMiB: number;
  /** The file the CPU scenario compares on (`--cpu-size`). */
  cpuSizeMiB: number;
  /**
   * How many times each run that decides a target is repeated, the tools taking turns; targets
   * are judged on the medians (`--rounds`, default 3).
   */
  rounds: number;
  /** A fresh folder for this run, removed at its end. */
  work: string;
}

export class BenchLab {
  readonly ctx: BenchContext;
  lab: NetLab | null = null;
  nginx: ChildProcess | null = null;
  root = '';
  /** The measured file's size in bytes and its SHA-256. */
  size = 0;
  sha = '';
  /** Where every tool writes its copy; emptied before each run. */
  out: string;
  private primed = false;

  constructor(ctx: BenchContext) {
    this.ctx = ctx;
    this.out = join(ctx.work, 'out');
    mkdirSync(this.out, { recursive: true });
    chmodSync(ctx.work, 0o755);
  }

  async setup(specs: LabPathSpec[], sizeMiB: number): Promise<NetLab> {
    await this.teardown();
    this.root = join(this.ctx.work, 'www');
    mkdirSync(this.root, { recursive: true });
    chmodSync(this.root, 0o755);
    const file = join(this.root, 'file.bin');
    if (this.size !== sizeMiB * MiB) {
      this.size = sizeMiB * MiB;
      this.sha = await makeFile(file, this.size);
    }
    // For "already running, after one earlier download" (bench/warm.ts): made once per bench.
    const earlier = join(this.root, 'earlier.bin');
    if (!existsSync(earlier)) await makeFile(earlier, MiB);
    this.lab = await NetLab.create(specs);
    this.nginx = await startNginx(this.lab, this.root);
    if (!this.primed) {
      this.primed = true;
      const paths = specs.map((s) => s.name);
      const addresses = paths.map((p) => this.addr(p));
      this.clean();
      await primeTools(this.lab, this.out, paths, addresses);
    }
    return this.lab;
  }

  async teardown(): Promise<void> {
    await this.lab?.destroy();
    this.lab = null;
    this.nginx = null;
  }

  clean(): void {
    rmSync(this.out, { recursive: true, force: true });
    mkdirSync(this.out, { recursive: true });
  }

  /** The client's address on path `name` (what curl's --interface and aria2 bind to). */
  addr(name: string): string {
    return (this.lab as NetLab).path(name).clientAddress;
  }
}
