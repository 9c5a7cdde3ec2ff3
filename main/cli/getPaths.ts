import type { PathInfo } from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';
import { downloadPaths } from '../core/downloadPaths.ts';
import type { EnginePath } from '../engine/EnginePath.ts';
import { usage, type GetOptions } from './getArgs.ts';

/** The paths this download may use, from --paths or the policy, as the monitor sees them now. */
export function pathsFor(options: GetOptions, snapshot: PathInfo[]): EnginePath[] {
  return downloadPaths(options, snapshot);
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
