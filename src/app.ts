import { Elysia } from "elysia";
import { instanceId } from "./cluster/instance-id";
import { localCluster } from "./cluster/local";
import type { Cluster } from "./cluster/types";
import type { Config } from "./config";
import { type Clock, type Random, systemClock, systemRandom } from "./core/clock";
import { Lifecycle } from "./core/lifecycle";
import { coalescing } from "./core/serial";
import { type Logger, silentLogger } from "./core/logger";
import { VERSION } from "./core/version";
import type { AdminToken } from "./http/admin-token";
import { errorHandler } from "./http/errors";
import { openapiDocs } from "./http/openapi";
import { uiPlugin } from "./http/ui";
import { adminModule } from "./modules/admin";
import { metricsController } from "./modules/metrics";
import { proxyModule } from "./modules/proxy";
import { readinessController } from "./modules/readiness";
import { KeyLimiter, type Limiter } from "./modules/proxy/limits";
import { SharedKeyLimiter } from "./modules/proxy/shared-limits";
import { buildSnapshot, emptySnapshot, type ProxySnapshot } from "./modules/proxy/snapshot";
import type { HttpClient } from "./providers/registry";
import { type HealthOptions, HealthRegistry } from "./routing";
import type { GatewayRuntime } from "./runtime";
import {
  type AnalyticsReader,
  deferredReader,
  inlineReader,
  type WorkerReaderOptions,
  workerReader,
} from "./telemetry/analytics";
import { type LabelNames, Metrics } from "./telemetry/metrics";
import type { RequestRecord } from "./storage/request-record";
import { Recorder, type RecorderOptions } from "./telemetry/recorder";
import { LogRetention } from "./telemetry/log-retention";
import { backfillPending } from "./storage/rollups";
import { isSqlite } from "./storage/sqlite";
import type { Storage } from "./storage/storage";
import {
  backfillInline,
  inlineStore,
  type RecordPruner,
  type RecordStore,
  type WorkerStoreOptions,
  workerStore,
} from "./telemetry/store";

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
  /** The live state shared with other instances (index.ts connects it); default: this instance alone. */
  cluster?: Cluster;
  /** Overrides of the analytics thread's options (tests: a short timeout, the hold hook). */
  analytics?: Partial<WorkerReaderOptions>;
  /** Test hook of the writer thread: holds its first retention delete (see WorkerStoreOptions). */
  recordStore?: Pick<WorkerStoreOptions, "holdPrune">;
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
  const cluster =
    deps.cluster ?? localCluster(instanceId(deps.config.instanceId), VERSION, startedAt, () => clock.now());
  // Link health: reads stay local; changes go to the other instances and theirs come back merged.
  health.attach(cluster.health);
  cluster.onLinkState((linkId, state) => health.adopt(linkId, state));
  const ownLimiter = new KeyLimiter(clock);
  const limiter: Limiter = cluster.limits
    ? new SharedKeyLimiter(cluster, cluster.limits, ownLimiter, () => clock.mono())
    : ownLimiter;
  // A database file gets a writer thread; an in-memory one (tests) can only be written from here.
  let store: RecordStore & RecordPruner;
  let analytics: AnalyticsReader;
  if (db) {
    const onFile = Boolean(db.filename) && db.filename !== ":memory:";
    // Rollups owed to records stored before migration 4 are built by the writer (start-up does not wait).
    const owed = backfillPending(db);
    if (owed) logger.info(`building the dashboard's rollups of ${owed} stored records in the background`);
    store = onFile
      ? workerStore(storage.records, db.filename, logger, { eager: owed > 0, ...deps.recordStore })
      : inlineStore(storage.records, logger);
    if (owed && !onFile) void backfillInline(db, logger);
    // The console's reports get a thread and a read-only connection of their own, likewise.
    analytics = onFile
      ? workerReader(db, db.filename, logger, {
          timeoutMs: deps.config.analyticsTimeoutMs,
          maxPending: 64,
          ...deps.analytics,
        })
      : inlineReader(db);
  } else {
    // PostgreSQL: the server does the work; the main thread only awaits its answers.
    store = inlineStore(storage.records, logger, 1000);
    analytics = deferredReader(async () =>
      (await import("./telemetry/analytics-pg")).postgresReader(storage),
    );
  }
  const recorder = new Recorder(store, deps.recorder);
  // Hourly: deletes request logs past the window (settings, else LOG_RETENTION_DAYS; off by default) and
  // rollups past ROLLUP_RETENTION_DAYS, through the record store: on its thread for a database file.
  const retention = new LogRetention(
    { records: store, settings: storage.settings },
    clock,
    logger,
    deps.config.logRetentionDays,
    deps.config.rollupRetentionDays,
  );
  retention.start();
  const metrics = new Metrics();
  const lifecycle = new Lifecycle();
  metrics.setLabelNames(labelNames(snapshot));
  // One rebuild at a time, coalesced: on PostgreSQL two overlapping rebuilds (two notices in a row) could
  // finish out of order and leave the older read, which missed the latest change, in place for good.
  const rebuild = coalescing(async () => {
    snapshot = await buildSnapshot(storage);
    // A token reset on another instance reaches this one with the same notice.
    await deps.adminToken.refresh?.();
    health.forget(snapshot.all.linkIds());
    metrics.setLabelNames(labelNames(snapshot));
  });
  // Another instance changed the configuration (or this one rejoined the shared state): rebuild from the database.
  cluster.onConfigChange(() => {
    rebuild().catch((err) => logger.error("routing table rebuild failed", { error: String(err) }));
  });
  const runtime: GatewayRuntime = {
    health,
    recorder,
    metrics,
    retention,
    lifecycle,
    cluster,
    analytics,
    routes: () => snapshot.all,
    async reload() {
      await rebuild();
      cluster.publishConfigChange();
    },
    ready: Promise.resolve(),
  };
  // The first load only reads: the other instances have nothing to rebuild.
  runtime.ready = rebuild();
  const adminDeps = {
    storage,
    analytics,
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
    snapshot: () => snapshot,
    lifecycle,
    limiter,
    instance: cluster.instance,
  };

  return new Elysia()
    .decorate("gateway", runtime)
    .use(errorHandler(logger))
    .use(readinessController(lifecycle))
    .use(proxyModule(proxyDeps))
    .use(metricsController(runtime, deps.adminToken, deps.config.metricsPublic, startedAt))
    .use(openapiDocs(VERSION))
    .use(adminModule(adminDeps, deps.adminToken, startedAt, runtime))
    .use(uiPlugin());
}

/** The configured model and provider names: the only ones /metrics labels a series with. */
function labelNames(snapshot: ProxySnapshot): LabelNames {
  const models = new Set<string>();
  const providers = new Set<string>();
  for (const m of snapshot.all.models()) {
    models.add(m.name);
    for (const l of m.links) providers.add(l.provider.name);
  }
  return { models, providers };
}

export type App = ReturnType<typeof createApp>;
