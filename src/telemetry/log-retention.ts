import type { Clock } from "../core/clock";
import type { Logger } from "../core/logger";
import type { SettingsRepo } from "../storage/storage";
import { pruneOldLogs, pruneOldRollups } from "./retention";
import type { RecordPruner } from "./store";

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
    readonly store: { records: RecordPruner; settings: SettingsRepo },
    readonly clock: Clock,
    readonly logger: Logger,
    readonly configuredDays: number,
    /** Hourly and daily rollups older than this many days are deleted (0 keeps them). */
    readonly rollupDays = 0,
  ) {}

  /** The window in days (0: off). */
  async days(): Promise<number> {
    return (await this.store.settings.get<number>(DAYS_SETTING)) ?? this.configuredDays;
  }

  setDays(days: number): Promise<void> {
    return this.store.settings.set(DAYS_SETTING, days);
  }

  async lastRun(): Promise<RetentionRun | null> {
    return (await this.store.settings.get<RetentionRun>(LAST_SETTING)) ?? null;
  }

  /** Prunes now with the current window (a run already under way is joined, not doubled). */
  runNow(): Promise<RetentionRun> {
    this.#running ??= this.#run().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #run(): Promise<RetentionRun> {
    const days = await this.days();
    const deleted = days > 0 ? await pruneOldLogs(this.store.records, days, this.clock, this.logger) : 0;
    const run = { at: this.clock.now(), days, deleted };
    await this.store.settings.set(LAST_SETTING, run);
    if (deleted) this.logger.info(`log retention: deleted ${deleted} request logs older than ${days} days`);
    // Rollups outlive the records (the dashboard keeps its history): their own, longer window.
    if (this.rollupDays > 0) {
      const n = await pruneOldRollups(this.store.records, this.rollupDays, this.clock, this.logger);
      if (n) this.logger.info(`rollup retention: deleted ${n} rollups older than ${this.rollupDays} days`);
    }
    return run;
  }

  /** Starts the hourly schedule; returns a stop function. Runs while off too, so a new window applies. */
  start(): () => void {
    const tick = async () => {
      try {
        if ((await this.days()) > 0 || this.rollupDays > 0) await this.runNow();
      } catch (err) {
        // The database closed under a stopped app, or is unreachable: nothing to prune now.
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
