/** A publish asked for as often as anything changes, run at most once per interval. */
export interface PublishThrottle {
  /** Publishes soon: on the next turn if the last publish is an interval old, else once it is. */
  request(): void;
  /** Drops a publish still waiting (when the core stops). */
  cancel(): void;
}

/**
 * Transfer progress changes with every chunk: the UI gets the list at most once per `intervalMs`
 * (~4 times a second), each time as it is when it goes out, never a stale copy.
 */
export function throttlePublish(publish: () => void, intervalMs: number): PublishThrottle {
  let lastPublished = 0;
  let timer: NodeJS.Timeout | undefined;
  return {
    request: () => {
      if (timer) return;
      const wait = Math.max(0, intervalMs - (Date.now() - lastPublished));
      timer = setTimeout(() => {
        timer = undefined;
        lastPublished = Date.now();
        publish();
      }, wait);
    },
    cancel: () => {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
