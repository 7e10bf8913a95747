import type { Clock } from "../core/clock";
import type { Logger } from "../core/logger";
import type { RecordsRepo } from "../storage/storage";

const DAY_MS = 86_400_000;
const CHUNK = 500;

/**
 * Deletes request logs older than the retention window, a small chunk per transaction with the event loop
 * free in between, so a large backlog never stalls requests. Resolves with how many were deleted.
 */
export async function pruneOldLogs(
  records: RecordsRepo,
  days: number,
  clock: Clock,
  logger: Logger,
): Promise<number> {
  const before = clock.now() - days * DAY_MS;
  let total = 0;
  for (;;) {
    let n: number;
    try {
      n = await records.prune(before, CHUNK);
    } catch (err) {
      logger.error("log retention failed", { error: String(err) });
      return total;
    }
    total += n;
    if (n < CHUNK) return total;
    await new Promise((r) => setImmediate(r));
  }
}

/** Deletes the hourly rollups of hours that began more than `days` days ago; resolves with how many. */
export async function pruneOldRollups(
  records: RecordsRepo,
  days: number,
  clock: Clock,
  logger: Logger,
): Promise<number> {
  try {
    return await records.pruneRollups(clock.now() - days * DAY_MS);
  } catch (err) {
    logger.error("rollup retention failed", { error: String(err) });
    return 0;
  }
}

export interface RetentionDays {
  /** Request records (0 keeps them). */
  logDays: number;
  /** Hourly rollups, the dashboard's figures (0 keeps them); records go sooner, rollups stay. */
  rollupDays: number;
}

/** Runs the prunes shortly after start and then every hour; returns a stop function. */
export function startRetention(
  records: RecordsRepo,
  days: RetentionDays,
  clock: Clock,
  logger: Logger,
): () => void {
  if (days.logDays <= 0 && days.rollupDays <= 0) return () => {};
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      if (days.logDays > 0) {
        const n = await pruneOldLogs(records, days.logDays, clock, logger);
        if (n) logger.info(`log retention: deleted ${n} request logs older than ${days.logDays} days`);
      }
      if (days.rollupDays > 0) {
        const n = await pruneOldRollups(records, days.rollupDays, clock, logger);
        if (n)
          logger.info(`rollup retention: deleted ${n} hourly rollups older than ${days.rollupDays} days`);
      }
    } finally {
      running = false;
    }
  };
  const first = setTimeout(run, 10_000);
  const every = setInterval(run, 3_600_000);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
