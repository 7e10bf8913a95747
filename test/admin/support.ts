import { inlineReader } from "../../src/telemetry/analytics";
import { expect } from "bun:test";
import type { AppDeps } from "../../src/app";
import { systemClock } from "../../src/core/clock";
import { silentLogger } from "../../src/core/logger";
import type { AdminDeps } from "../../src/modules/admin/shared";
import type { SqliteStorage } from "../../src/storage/sqlite";

/** The admin API's error body. */
export interface AdminErrorBody {
  error: { code: string; message: string; field?: string };
}

/** Asserts an Eden response is an admin error with this status (and field, when given); returns its body. */
export function expectError(
  res: { status: number; error: { value: unknown } | null },
  status: number,
  field?: string,
): AdminErrorBody["error"] {
  expect(res.status).toBe(status);
  const body = res.error?.value as AdminErrorBody;
  expect(body?.error?.message).toBeString();
  if (field !== undefined) expect(body.error.field).toBe(field);
  return body.error;
}

/** Admin service dependencies over an app's database, with a hook to count routing-table rebuilds. */
export function adminDeps(deps: AppDeps, onConfigChange: () => void = () => {}): AdminDeps {
  return {
    storage: deps.storage,
    analytics: inlineReader((deps.storage as SqliteStorage).db),
    config: deps.config,
    clock: systemClock,
    logger: silentLogger,
    http: (url, init) => fetch(url, init),
    onConfigChange: async () => onConfigChange(),
  };
}
