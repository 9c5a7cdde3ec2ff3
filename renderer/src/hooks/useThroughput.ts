import { useEffect, useState } from 'react';
import type { PathwiseApi, ThroughputSample } from '../../../common/contract.ts';
import { appendSample, LIVE_WINDOW_MS } from '../lib/liveSeries.ts';

/** The live throughput series (one sample a second from the core), bounded to the last window. */
export function useThroughput(api: PathwiseApi, windowMs: number = LIVE_WINDOW_MS): ThroughputSample[] {
  const [series, setSeries] = useState<ThroughputSample[]>([]);
  useEffect(
    () => api.on('throughput', (sample) => setSeries((prev) => appendSample(prev, sample, windowMs))),
    [api, windowMs],
  );
  return series;
}
