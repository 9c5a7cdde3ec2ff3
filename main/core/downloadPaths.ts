import type { PathInfo } from '../../common/contract.ts';
import { enginePathsFrom, type EnginePath } from '../engine/EnginePath.ts';

/** What decides a command-line download's paths: its URL and its --paths, if any. */
export interface PathRequest {
  url: string;
  /** --paths: interface names in order, each possibly NAME=ADDRESS; null for the policy's paths. */
  paths: string[] | null;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/**
 * The paths a `pathwise get` may use, from --paths or the policy, as `snapshot` shows them now.
 * The same rule whether the command runs the download itself or hands it to the running app.
 */
export function downloadPaths(request: PathRequest, snapshot: readonly PathInfo[]): EnginePath[] {
  if (request.paths) {
    const specs = request.paths;
    const names = specs.map((spec) => spec.split('=')[0] as string);
    return enginePathsFrom(snapshot, names).map((path, i) => {
      const address = specs[i]?.split('=')[1];
      // NAME=ADDRESS: bound to that address; up as long as the interface (if there is one) is.
      if (address) {
        const known = snapshot.find((p) => p.name === path.name);
        return { ...path, address, up: known ? known.up : true };
      }
      return path;
    });
  }
  // A server on this machine is reached over loopback, whatever the policy says about real paths.
  const host = new URL(request.url).hostname;
  if (LOOPBACK.test(host)) {
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
