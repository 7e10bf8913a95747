import type { Database } from "bun:sqlite";
import type { Clock } from "../core/clock";
import type { Logger } from "../core/logger";
import { pruneLogs } from "../storage/request-logs";
import { pruneRollups } from "../storage/rollups";

const DAY_MS = 86_400_000;
const CHUNK = 500;

/**
 * Deletes request logs older than the retention window, a small chunk per transaction with the event loop
 * free in between, so a large backlog never stalls requests. Resolves with how many were deleted.
 */
export async function pruneOldLogs(
  db: Database,
  days: number,
  clock: Clock,
  logger: Logger,
): Promise<number> {
  const before = clock.now() - days * DAY_MS;
  let total = 0;
  for (;;) {
    let n: number;
    try {
      n = pruneLogs(db, before, CHUNK);
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
export function pruneOldRollups(db: Database, days: number, clock: Clock, logger: Logger): number {
  try {
    return pruneRollups(db, clock.now() - days * DAY_MS);
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
export function startRetention(db: Database, days: RetentionDays, clock: Clock, logger: Logger): () => void {
  if (days.logDays <= 0 && days.rollupDays <= 0) return () => {};
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      if (days.logDays > 0) {
        const n = await pruneOldLogs(db, days.logDays, clock, logger);
        if (n) logger.info(`log retention: deleted ${n} request logs older than ${days.logDays} days`);
      }
      if (days.rollupDays > 0) {
        const n = pruneOldRollups(db, days.rollupDays, clock, logger);
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
