/**
 * Test groups that can run only as root (network namespaces, private mounts): where the machine
 * lacks what a group needs, the group is skipped, and says so. A warning goes to the test output,
 * and a line to the file that PATHWISE_SKIP_LOG names, which CI (.ci/run, through
 * scripts/skipped-tests.sh) turns into its last line and a failure unless PATHWISE_ALLOW_SKIPS=1.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { describe } from 'vitest';

/** One thing a group needs of the machine (root, a tool, a kernel interface), and whether it is there. */
export interface Need {
  what: string;
  met: boolean;
}

/** The environment variable naming the file skipped groups are appended to, one per line. */
export const SKIP_LOG_ENV = 'PATHWISE_SKIP_LOG';

export function asRoot(): Need {
  return { what: 'root (uid 0)', met: process.getuid?.() === 0 };
}

/** A file that must exist: a tool at one of `paths`, or a kernel interface. */
export function file(what: string, ...paths: string[]): Need {
  return { what: `${what} (${paths.join(' or ')})`, met: paths.some((p) => existsSync(p)) };
}

/** The network-namespace labs (test/support/netns.ts, as its canUseNetns says): root and ip(8). */
export function netnsNeeds(): Need[] {
  return [asRoot(), file('ip', '/usr/sbin/ip', '/sbin/ip')];
}

/** A private mount namespace (a small tmpfs, a fake /sys): root and unshare(1). */
export function mountNeeds(...more: Need[]): Need[] {
  return [asRoot(), file('unshare', '/usr/bin/unshare'), ...more];
}

/** The line a skipped group leaves in the skip log: its title and what it lacked, tab-separated. */
export function skipLine(title: string, missing: readonly string[]): string {
  return `${title.replace(/\s+/g, ' ')}\tneeds ${missing.join(', ')}`;
}

/**
 * describe() for a group that needs `needs`: run where they are met, else skipped with a warning
 * and a line in the skip log (`log`, by default the file $PATHWISE_SKIP_LOG names, if set).
 */
export function describeNeeding(
  needs: readonly Need[],
  log: string | undefined = process.env[SKIP_LOG_ENV],
): (title: string, body: () => void) => void {
  return (title, body) => {
    const missing = needs.filter((n) => !n.met).map((n) => n.what);
    if (missing.length === 0) {
      describe(title, body);
      return;
    }
    const line = skipLine(title, missing);
    console.warn(`SKIPPED root-only test group: ${line.replace('\t', ' — ')}`);
    if (log) appendFileSync(log, `${line}\n`);
    describe.skip(title, body);
  };
}
