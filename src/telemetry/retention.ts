import type { Clock } from "../core/clock";
import type { Logger } from "../core/logger";
import type { RecordsRepo } from "../storage/storage";

const DAY_MS = 86_400_000;
const CHUNK = 500;

/**
 * Deletes request logs older than the retention window, a small chunk per transaction with the event loop
 * free in between (on the writer thread where there is one, see store.ts), so a large backlog never stalls
 * requests. Resolves with how many were deleted.
 */
export async function pruneOldLogs(
  records: Pick<RecordsRepo, "prune">,
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
  records: Pick<RecordsRepo, "pruneRollups">,
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
