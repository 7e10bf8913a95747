import type { Database } from "bun:sqlite";
import type { Clock } from "../core/clock";
import type { Logger } from "../core/logger";
import { getSetting, setSetting } from "../storage/settings";
import { pruneOldLogs, pruneOldRollups } from "./retention";

const DAYS_SETTING = "log_retention_days";
const LAST_SETTING = "log_retention_last_run";
const HOUR_MS = 3_600_000;

/** What the last retention run did: when, with which window, how many request logs it deleted. */
export interface RetentionRun {
  at: number;
  days: number;
  deleted: number;
}

/**
 * Request-log retention with a window the admin can change at run time: the stored setting wins over
 * LOG_RETENTION_DAYS; 0 keeps every log. Runs shortly after start and hourly; remembers its last run.
 */
export class LogRetention {
  #running: Promise<RetentionRun> | null = null;

  constructor(
    readonly db: Database,
    readonly clock: Clock,
    readonly logger: Logger,
    readonly configuredDays: number,
    /** Hourly and daily rollups older than this many days are deleted (0 keeps them). */
    readonly rollupDays = 0,
  ) {}

  /** The window in days (0: off). */
  days(): number {
    return getSetting<number>(this.db, DAYS_SETTING) ?? this.configuredDays;
  }

  setDays(days: number): void {
    setSetting(this.db, DAYS_SETTING, days);
  }

  lastRun(): RetentionRun | null {
    return getSetting<RetentionRun>(this.db, LAST_SETTING) ?? null;
  }

  /** Prunes now with the current window (a run already under way is joined, not doubled). */
  runNow(): Promise<RetentionRun> {
    this.#running ??= this.#run().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #run(): Promise<RetentionRun> {
    const days = this.days();
    const deleted = days > 0 ? await pruneOldLogs(this.db, days, this.clock, this.logger) : 0;
    const run = { at: this.clock.now(), days, deleted };
    setSetting(this.db, LAST_SETTING, run);
    if (deleted) this.logger.info(`log retention: deleted ${deleted} request logs older than ${days} days`);
    // Rollups outlive the records (the dashboard keeps its history): their own, longer window.
    if (this.rollupDays > 0) {
      const n = pruneOldRollups(this.db, this.rollupDays, this.clock, this.logger);
      if (n) this.logger.info(`rollup retention: deleted ${n} rollups older than ${this.rollupDays} days`);
    }
    return run;
  }

  /** Starts the hourly schedule; returns a stop function. Runs while off too, so a new window applies. */
  start(): () => void {
    const tick = () => {
      try {
        if (this.days() > 0 || this.rollupDays > 0)
          void this.runNow().catch((err) =>
            this.logger.error("log retention failed", { error: String(err) }),
          );
      } catch (err) {
        // The database closed under a stopped app; nothing to prune.
        this.logger.error("log retention failed", { error: String(err) });
      }
    };
    const first = setTimeout(tick, 10_000);
    const every = setInterval(tick, HOUR_MS);
    first.unref();
    every.unref();
    return () => {
      clearTimeout(first);
      clearInterval(every);
    };
  }
}
