import { treaty } from "@elysiajs/eden";
import { type AppDeps, createApp } from "../../src/app";
import { parseConfig, type Config } from "../../src/config";
import { staticAdminToken } from "../../src/http/admin-token";
import { openDatabase } from "../../src/storage/db";
import { sqliteStorage } from "../../src/storage/sqlite";

export const TEST_TOKEN = "test-admin-token";

export function testConfig(overrides: Partial<Config> = {}): Config {
  const parsed = parseConfig([], {});
  if (parsed.kind !== "config") throw new Error("unreachable");
  return { ...parsed.config, logLevel: "silent", token: TEST_TOKEN, ...overrides };
}

/** A full app over a fresh in-memory database with the real migrations. */
export function makeApp(overrides: Partial<AppDeps> & { db?: ReturnType<typeof openDatabase> } = {}) {
  const { db = openDatabase(":memory:"), ...rest } = overrides;
  const deps: AppDeps = {
    storage: sqliteStorage(db),
    config: testConfig(),
    adminToken: staticAdminToken(TEST_TOKEN),
    ...rest,
  };
  const app = createApp(deps);
  const api = treaty(app, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
  const anon = treaty(app);
  return { app, db, api, anon, deps };
}
