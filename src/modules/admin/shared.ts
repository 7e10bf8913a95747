import { t } from "elysia";
import type { Config } from "../../config";
import type { Clock } from "../../core/clock";
import { conflict, GatewayError, notFound } from "../../core/errors";
import type { Logger } from "../../core/logger";
import type { HttpClient } from "../../providers/registry";
import { ConstraintError } from "../../storage/errors";
import type { Storage } from "../../storage/storage";
import type { AnalyticsReader } from "../../telemetry/analytics";

/** What admin services need from the outside world. */
export interface AdminDeps {
  storage: Storage;
  /** Reads of the request records and rollups: never on the proxy's thread for a database file. */
  analytics: AnalyticsReader;
  clock: Clock;
  logger: Logger;
  config: Config;
  http: HttpClient;
  /** Called after any change to providers, models or links, so the routing table is rebuilt. */
  onConfigChange: () => Promise<void>;
}

// No minimum: an integer id that names nothing (0, -1) is a 404 like any other unknown id, and
// Elysia reports a failed bound on a coerced path param without naming the param.
export const IdParams = t.Object({ id: t.Integer() });

/** Maps a constraint failure to a 409 (unique) or a 422 (dangling reference), or rethrows. */
export function rethrowConstraint(err: unknown, what: string, field: string): never {
  if (err instanceof ConstraintError && err.kind === "unique")
    throw conflict(`${what} already exists`, field);
  // Services check references first; this only catches a row deleted in between.
  if (err instanceof ConstraintError)
    throw new GatewayError(422, "validation", "a referenced record does not exist");
  throw err;
}

export function found<T>(value: T | null, what: string, id: number): T {
  if (value === null) throw notFound(`${what} ${id} not found`);
  return value;
}
