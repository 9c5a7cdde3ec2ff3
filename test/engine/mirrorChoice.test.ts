/**
 * The two rules a download from mirrors lives by (MirrorSource.ts): which source a path's next
 * connection asks (spread over equally fast mirrors, none for a far slower one), and which
 * sources serve the same file (size always; validators only where they can be compared, and not
 * at all when a hash decides).
 */
import { describe, expect, it } from 'vitest';
import { leastLoaded, refusal, type Candidate, type Reference } from '../../main/engine/MirrorSource.ts';
import type { ProbeResult } from '../../main/engine/RangeProbe.ts';

function candidate(index: number, load: number, rate: number | null, priority = index + 1): Candidate {
  return { index, load, rate, priority };
}

/** Which sources `connections` successive connections of one path ask, each taking a slot. */
function spread(sources: Candidate[], connections: number): number[] {
  const asked: number[] = [];
  for (let i = 0; i < connections; i++) {
    const next = leastLoaded(sources) as Candidate;
    next.load++;
    asked.push(next.index);
  }
  return asked;
}

describe('which source a path’s next connection asks', () => {
  it('spreads a path’s connections over mirrors of equal speed, the preferred first', () => {
    expect(spread([candidate(0, 0, 1e6), candidate(1, 0, 1e6)], 4)).toEqual([0, 1, 0, 1]);
  });

  it('counts an unmeasured mirror as the fastest, so a new one gets a path’s next connection', () => {
    expect(spread([candidate(0, 1, 3e6), candidate(1, 1, 1e6), candidate(2, 0, null)], 1)).toEqual([2]);
    // A tie with the fastest goes to the one not tried yet, whatever the priorities.
    expect(spread([candidate(0, 0, 3e6), candidate(1, 0, null)], 1)).toEqual([1]);
  });

  it('gives a mirror three times slower none of a path’s two connections, and one of four', () => {
    expect(spread([candidate(0, 0, 3e6), candidate(1, 0, 1e6)], 2)).toEqual([0, 0]);
    expect(spread([candidate(0, 0, 3e6), candidate(1, 0, 1e6)], 4)).toEqual([0, 0, 0, 1]);
  });

  it('asks a mirror that sent nothing (rate 0) only when no other is left', () => {
    expect(spread([candidate(0, 5, 1e6), candidate(1, 0, 0)], 1)).toEqual([0]);
    expect(leastLoaded([candidate(1, 0, 0)])?.index).toBe(1);
    expect(leastLoaded([])).toBeUndefined();
  });
});

const LAST_MODIFIED = 'Tue, 01 Dec 2026 10:00:00 GMT';

function probe(url: string, changes: Partial<ProbeResult> = {}): ProbeResult {
  return {
    url,
    size: 1000,
    rangeSupport: true,
    validator: { etag: '"a"', lastModified: LAST_MODIFIED },
    encoding: null,
    fileName: null,
    rttMs: 1,
    ...changes,
  };
}

const pinned: Reference = {
  size: 1000,
  encoding: null,
  validator: { etag: '"a"', lastModified: LAST_MODIFIED },
  url: 'http://one.example/file.iso',
  hashDecides: false,
};

describe('which sources serve the same file', () => {
  it('always refuses another size, an encoding, or no byte ranges', () => {
    const hashed = { ...pinned, hashDecides: true };
    expect(refusal(probe('http://two.example/f', { size: 999 }), hashed)).toMatch(
      /serves 999 bytes, not 1000/,
    );
    expect(refusal(probe('http://two.example/f', { encoding: 'gzip' }), hashed)).toMatch(/gzip/);
    expect(refusal(probe('http://two.example/f', { rangeSupport: false }), hashed)).toMatch(/byte ranges/);
  });

  it('compares ETags only between URLs of one server: other servers make them differently', () => {
    const otherTag = { validator: { etag: '"b"', lastModified: LAST_MODIFIED } };
    expect(refusal(probe('http://two.example/file.iso', otherTag), pinned)).toBeNull();
    expect(refusal(probe('http://one.example/mirror/file.iso', otherTag), pinned)).toMatch(
      /the same server names another version \(ETag "b", not ETag "a"\)/,
    );
  });

  it('refuses a copy modified at another time, unless a hash decides', () => {
    const later = { validator: { etag: null, lastModified: 'Wed, 02 Dec 2026 10:00:00 GMT' } };
    expect(refusal(probe('http://two.example/file.iso', later), pinned)).toMatch(/another version\?/);
    expect(refusal(probe('http://two.example/file.iso', later), { ...pinned, hashDecides: true })).toBeNull();
    // The same time written another way is the same time.
    const same = { validator: { etag: null, lastModified: 'Tuesday, 01-Dec-26 10:00:00 GMT' } };
    expect(refusal(probe('http://two.example/file.iso', same), pinned)).toBeNull();
  });
});
