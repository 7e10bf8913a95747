import type { Database } from "bun:sqlite";
import { t } from "elysia";
import type { Config } from "../../config";
import type { Clock } from "../../core/clock";
import { conflict, notFound } from "../../core/errors";
import type { Logger } from "../../core/logger";
import type { HttpClient } from "../../providers/registry";

/** What admin services need from the outside world. */
export interface AdminDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  config: Config;
  http: HttpClient;
  /** Called after any change to providers, models or links, so the routing table is rebuilt. */
  onConfigChange: () => void;
}

export const IdParams = t.Object({ id: t.Numeric({ minimum: 1 }) });

/** Maps a SQLite constraint failure to a 409 (unique) or rethrows. */
export function rethrowConstraint(err: unknown, what: string, field: string): never {
  const message = err instanceof Error ? err.message : String(err);
  if (message.includes("UNIQUE constraint failed")) throw conflict(`${what} already exists`, field);
  if (message.includes("FOREIGN KEY constraint failed")) throw notFound(`referenced ${field} does not exist`);
  throw err;
}

export function found<T>(value: T | null, what: string, id: number): T {
  if (value === null) throw notFound(`${what} ${id} not found`);
  return value;
}
