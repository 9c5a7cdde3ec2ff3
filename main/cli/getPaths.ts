import type { PathInfo } from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';
import { enginePathsFrom, type EnginePath } from '../engine/EnginePath.ts';
import { usage, type GetOptions } from './getArgs.ts';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/** The paths this download may use, from --paths or the policy, as the monitor sees them now. */
export function pathsFor(options: GetOptions, snapshot: PathInfo[]): EnginePath[] {
  if (options.paths) {
    const names = options.paths.map((spec) => spec.split('=')[0] as string);
    const fromMonitor = enginePathsFrom(snapshot, names);
    return fromMonitor.map((path, i) => {
      const address = (options.paths as string[])[i]?.split('=')[1];
      // NAME=ADDRESS: bound to that address; up as long as the interface (if there is one) is.
      if (address) {
        const known = snapshot.find((p) => p.name === path.name);
        return { ...path, address, up: known ? known.up : true };
      }
      return path;
    });
  }
  // A server on this machine is reached over loopback, whatever the policy says about real paths.
  if (LOOPBACK.test(new URL(options.url).hostname)) {
    const host = new URL(options.url).hostname;
    return [
      {
        name: 'lo',
        address: host === '[::1]' ? '::1' : '127.0.0.1',
        up: true,
        preference: 'always',
        rank: 0,
        health: 'unknown',
        rttMs: null,
      },
    ];
  }
  return enginePathsFrom(snapshot);
}

/**
 * The interfaces --paths names that this machine doesn't have now. The download goes ahead without
 * them (they are taken up if they appear), unless none of them exists.
 */
export function absentPaths(named: string[] | null, snapshot: PathInfo[]): string[] {
  const here = snapshot.map((p) => p.name);
  const absent = (named ?? []).filter((spec) => !spec.includes('=')).filter((name) => !here.includes(name));
  if (absent.length > 0 && absent.length === named?.length) {
    // None of them exists: most likely a typo, not every named link unplugged at once.
    throw new PathwiseError(
      'E_NO_PATH',
      `This machine has no interface named ${absent.join(' or ')} (it has ${here.join(', ') || 'none'}). "pathwise interfaces" lists them.`,
    );
  }
  return absent;
}

/** A cap on a path the download won't use is a mistake in the command, said before any request. */
export function checkCaps(caps: Record<string, number>, paths: EnginePath[]): void {
  for (const name of Object.keys(caps)) {
    if (!paths.some((p) => p.name === name)) {
      throw usage(
        `--cap names ${name}, which is not one of the paths in use (${paths.map((p) => p.name).join(', ')}).`,
      );
    }
  }
}

/** What stderr says about the named interfaces that are missing (some, not all of them). */
export function absentNotice(absent: string[]): string {
  const [are, them, appear] =
    absent.length === 1 ? ['is', 'it', 'it appears'] : ['are', 'them', 'they appear'];
  return `pathwise: ${absent.join(', ')} ${are} not on this machine now; the download starts without ${them} and takes ${them} up if ${appear}.\n`;
}
