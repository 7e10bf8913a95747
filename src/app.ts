import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import type { Config } from "./config";
import { type Clock, type Random, systemClock, systemRandom } from "./core/clock";
import { Lifecycle } from "./core/lifecycle";
import { type Logger, silentLogger } from "./core/logger";
import { VERSION } from "./core/version";
import type { AdminToken } from "./http/admin-token";
import { errorHandler } from "./http/errors";
import { uiPlugin } from "./http/ui";
import { adminModule } from "./modules/admin";
import { metricsController } from "./modules/metrics";
import { proxyModule } from "./modules/proxy";
import { readinessController } from "./modules/readiness";
import { buildSnapshot, emptySnapshot } from "./modules/proxy/snapshot";
import type { HttpClient } from "./providers/registry";
import { type HealthOptions, HealthRegistry } from "./routing";
import type { GatewayRuntime } from "./runtime";
import { Metrics } from "./telemetry/metrics";
import type { RequestRecord } from "./telemetry/record";
import { Recorder, type RecorderOptions } from "./telemetry/recorder";
import { startRetention } from "./telemetry/retention";
import { inlineStore, workerStore } from "./telemetry/store";
import { openDatabase } from "./storage/db";
import { isSqlite } from "./storage/sqlite";
import type { Storage } from "./storage/storage";

export type { GatewayRuntime };

/** Everything the app needs from outside; tests pass their own. */
export interface AppDeps {
  /** Configuration and records: SQLite (sqliteStorage) or PostgreSQL (openPostgres). */
  storage: Storage;
  config: Config;
  adminToken: AdminToken;
  logger?: Logger;
  clock?: Clock;
  random?: Random;
  /** The HTTP client for upstream calls (real fetch; tests point providers at a fake upstream). */
  http?: HttpClient;
  health?: Partial<HealthOptions>;
  recorder?: RecorderOptions;
}

/** Composes the gateway: error handling, client-facing proxy, admin API, OpenAPI document, UI. */
export function createApp(deps: AppDeps) {
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? systemRandom;
  const http: HttpClient = deps.http ?? ((url, init) => fetch(url, init));
  const startedAt = clock.now();

  const storage = deps.storage;
  const db = isSqlite(storage) ? storage.db : null;
  // Empty until the first load resolves (`runtime.ready`); the process awaits it before it listens.
  let snapshot = emptySnapshot();
  const health = new HealthRegistry(clock, deps.health);
  // A database file gets a writer thread; an in-memory one (tests) can only be written from here.
  const store =
    db?.filename && db.filename !== ":memory:"
      ? workerStore(storage.records, db.filename, logger)
      : inlineStore(storage.records, logger);
  const recorder = new Recorder(store, deps.recorder);
  // Hourly, off by default: deletes request logs past LOG_RETENTION_DAYS.
  startRetention(storage.records, deps.config.logRetentionDays, clock, logger);
  const metrics = new Metrics();
  const lifecycle = new Lifecycle();
  const runtime: GatewayRuntime = {
    health,
    recorder,
    metrics,
    lifecycle,
    snapshot: () => snapshot,
    async reload() {
      snapshot = await buildSnapshot(storage);
      health.forget(snapshot.all.linkIds());
    },
    ready: Promise.resolve(),
  };
  runtime.ready = runtime.reload();
  // TODO(pg): the log and metrics reports read SQLite until they move behind the analytics reader.
  const reportsDb = db ?? openDatabase(":memory:");
  const adminDeps = {
    storage,
    db: reportsDb,
    clock,
    logger,
    config: deps.config,
    http,
    onConfigChange: runtime.reload,
  };
  const proxyDeps = {
    config: deps.config,
    logger,
    clock,
    random,
    http,
    health,
    recorder: {
      push(record: RequestRecord) {
        metrics.observe(record);
        recorder.push(record);
      },
    },
    adminToken: deps.adminToken,
    snapshot: runtime.snapshot,
    lifecycle,
  };

  return new Elysia()
    .decorate("gateway", runtime)
    .use(errorHandler(logger))
    .use(readinessController(lifecycle))
    .use(proxyModule(proxyDeps))
    .use(metricsController(runtime, deps.adminToken, deps.config.metricsPublic, startedAt))
    .use(
      openapi({
        path: "/openapi",
        specPath: "/openapi/json",
        documentation: { info: { title: "llmio admin API", version: VERSION } },
        exclude: { paths: [/^\/v1/, /^\/v1beta/, /^\/openai/, /^\/anthropic/, /^\/gemini/] },
      }),
    )
    .use(adminModule(adminDeps, deps.adminToken, startedAt, runtime))
    .use(uiPlugin());
}

export type App = ReturnType<typeof createApp>;
