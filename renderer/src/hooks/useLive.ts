import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventChannel, EventPayload, PathwiseApi } from '../../../common/contract.ts';
import { errorCode, errorMessage, isUnavailable } from '../../../common/errors.ts';

export type Loadable<T> =
  | { state: 'loading' }
  | { state: 'ready'; value: T }
  /** The core doesn't provide this (its part is missing or failed to start): a calm state, not an error. */
  | { state: 'unavailable'; message: string }
  | { state: 'error'; message: string; code: string };

export interface Live<T> {
  data: Loadable<T>;
  /** Fetch again (after an error, or when something outside the push stream changed). */
  reload: () => void;
  /** Adopt a value a request returned, without waiting for the push. */
  set: (value: T) => void;
}

/**
 * A value that is fetched once and then kept current by pushes from the core. Pushes that arrive
 * before the fetch answers are applied on top of its answer, so nothing is lost in the race.
 */
export function useLive<T, E extends EventChannel>(
  api: PathwiseApi,
  fetch: (api: PathwiseApi) => Promise<T>,
  event: E | null,
  apply: (previous: T | undefined, payload: EventPayload<E>) => T,
): Live<T> {
  const [data, setData] = useState<Loadable<T>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // The callers pass inline functions; the latest ones are used without resubscribing.
  const fetchRef = useRef(fetch);
  const applyRef = useRef(apply);
  useEffect(() => {
    fetchRef.current = fetch;
    applyRef.current = apply;
  });

  useEffect(() => {
    let live = true;
    let fetched = false;
    const early: EventPayload<E>[] = [];
    const off = event
      ? api.on(event, (payload) => {
          if (!live) return;
          if (!fetched) early.push(payload);
          setData((prev) => ({
            state: 'ready',
            value: applyRef.current(prev.state === 'ready' ? prev.value : undefined, payload),
          }));
        })
      : () => undefined;
    fetchRef.current(api).then(
      (value) => {
        if (!live) return;
        fetched = true;
        let next = value;
        for (const payload of early) next = applyRef.current(next, payload);
        setData({ state: 'ready', value: next });
      },
      (error: unknown) => {
        if (!live) return;
        fetched = true;
        const code = errorCode(error);
        setData((prev) => {
          if (prev.state === 'ready') return prev;
          return isUnavailable(error)
            ? { state: 'unavailable', message: errorMessage(error) }
            : { state: 'error', message: errorMessage(error), code };
        });
      },
    );
    return () => {
      live = false;
      off();
    };
  }, [api, event, attempt]);

  const reload = useCallback(() => {
    setData({ state: 'loading' });
    setAttempt((n) => n + 1);
  }, []);
  const set = useCallback((value: T) => setData({ state: 'ready', value }), []);
  return { data, reload, set };
}

export function valueOf<T>(loadable: Loadable<T>): T | undefined {
  return loadable.state === 'ready' ? loadable.value : undefined;
}
