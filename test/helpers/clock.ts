import type { Clock } from "../../src/core/clock";

/**
 * A clock that reads local noon of today and runs on from there, for a test whose figures are bucketed by
 * the day, the month or the hour: every request it makes falls into today's, this month's and the current
 * hour's bucket, whatever the hour at which the test runs (a run at 23:59:59, or a minute before the hour,
 * would otherwise split them across two). Local is the process's time zone, which a browser it starts shares.
 */
export function middayClock(): Clock {
  const noon = new Date();
  noon.setHours(12, 0, 0, 0);
  const startedAt = performance.now();
  return {
    now: () => noon.getTime() + Math.round(performance.now() - startedAt),
    mono: () => performance.now(),
  };
}
