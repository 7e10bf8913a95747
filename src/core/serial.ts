/**
 * Runs `task` one at a time and coalesces calls: a call made while a run is in flight is answered by the next
 * run, which starts after the current one ends (however many calls arrived meanwhile, one run serves them all).
 *
 * What it guarantees: the promise a call gets settles only after a run that *started after the call* has
 * ended. A routing rebuild needs exactly this: two overlapping rebuilds on an async store could finish out of
 * order, and the older read (which missed the latest change) would then overwrite the newer table for good.
 */
export function coalescing(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const start = (): Promise<void> => {
    const run = task().finally(() => {
      if (running === run) running = null;
    });
    running = run;
    return run;
  };
  return () => {
    if (!running) return start();
    if (!queued) {
      const next = running
        .then(
          () => undefined,
          () => undefined,
        )
        .then(() => {
          queued = null;
          return start();
        });
      queued = next;
    }
    return queued;
  };
}
