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
