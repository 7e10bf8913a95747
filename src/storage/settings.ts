import type { Database } from "bun:sqlite";
import { USD_CNY_RATE_SETTING, usdCnyRateOf } from "../core/money";

/** Reads a JSON setting, or undefined when it was never set. */
export function getSetting<T>(db: Database, key: string): T | undefined {
  const row = db.query("SELECT value FROM settings WHERE key = ?").get(key) as { value: string } | null;
  return row ? (JSON.parse(row.value) as T) : undefined;
}

export function setSetting(db: Database, key: string, value: unknown): void {
  db.query(
    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  ).run(key, JSON.stringify(value));
}

/** The admin's CNY-per-USD rate for key spend (see core/money), the default when unset. */
export function usdCnyRate(db: Database): number {
  return usdCnyRateOf(getSetting<unknown>(db, USD_CNY_RATE_SETTING));
}

/** Whether the admin has set the rate (false: the default applies). */
export const usdCnyRateIsSet = (db: Database): boolean =>
  getSetting<unknown>(db, USD_CNY_RATE_SETTING) !== undefined;
