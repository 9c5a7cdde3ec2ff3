/**
 * Largest-Triangle-Three-Buckets (Steinarsson, 2013): keeps the visual shape of a long series —
 * peaks and dips survive — with a fixed number of points, so charts stay fast with months of
 * minute-resolution history. The first and last points are always kept.
 */
export const MAX_POINTS_PER_SERIES = 1000;

export function downsample<T>(
  points: readonly T[],
  maxPoints: number,
  x: (point: T) => number,
  y: (point: T) => number,
): T[] {
  const n = points.length;
  if (maxPoints >= n || n <= 2) return points.slice();
  if (maxPoints < 3) return [points[0] as T, points[n - 1] as T].slice(0, Math.max(1, maxPoints));
  const out: T[] = [points[0] as T];
  const bucketSize = (n - 2) / (maxPoints - 2);
  let a = 0;
  for (let bucket = 0; bucket < maxPoints - 2; bucket++) {
    // Average of the next bucket: the third corner of the triangle.
    const nextStart = Math.floor((bucket + 1) * bucketSize) + 1;
    const nextEnd = Math.min(Math.floor((bucket + 2) * bucketSize) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let i = nextStart; i < nextEnd; i++) {
      avgX += x(points[i] as T);
      avgY += y(points[i] as T);
    }
    const count = Math.max(1, nextEnd - nextStart);
    avgX /= count;
    avgY /= count;
    const start = Math.floor(bucket * bucketSize) + 1;
    const end = Math.floor((bucket + 1) * bucketSize) + 1;
    const ax = x(points[a] as T);
    const ay = y(points[a] as T);
    let best = start;
    let bestArea = -1;
    for (let i = start; i < end; i++) {
      const px = x(points[i] as T);
      const py = y(points[i] as T);
      const area = Math.abs((ax - avgX) * (py - ay) - (ax - px) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    out.push(points[best] as T);
    a = best;
  }
  out.push(points[n - 1] as T);
  return out;
}
