#!/usr/bin/env bun
import { createApp } from "./app";
import { instanceId } from "./cluster/instance-id";
import type { RedisCluster } from "./cluster/redis";
import { ConfigError, parseConfig } from "./config";
import { createLogger, redactUrl } from "./core/logger";
import { VERSION } from "./core/version";
import { resolveAdminToken } from "./http/admin-token";
import { openStorage } from "./storage/open";
import type { Storage } from "./storage/storage";

/** An error as one line of text. */
const oneLine = (err: unknown) =>
  (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, " ");

function fail(message: string): never {
  process.stderr.write(`llmio: ${message}\n`);
  process.exit(2);
}

let parsed: ReturnType<typeof parseConfig>;
try {
  parsed = parseConfig(process.argv.slice(2), process.env);
} catch (err) {
  fail(err instanceof ConfigError ? err.message : String(err));
}
if (parsed.kind === "exit") {
  process.stdout.write(parsed.output);
  process.exit(0);
}
if (parsed.kind === "copy-db") {
  const { from, to } = parsed.copy;
  try {
    const { copySqliteToPostgres } = await import("./storage/copy-db");
    const report = await copySqliteToPostgres(from, to);
    const counts = Object.entries(report)
      .map(([table, n]) => `${table} ${n}`)
      .join(", ");
    process.stdout.write(`llmio: copied ${from} into ${redactUrl(to)}: ${counts}\n`);
    process.exit(0);
  } catch (err) {
    fail(oneLine(err));
  }
}
const config = parsed.config;
if (config.tz) process.env.TZ = config.tz;
const logger = createLogger(config.logLevel);

let storage: Storage;
try {
  storage = await openStorage(config);
} catch (err) {
  const where = config.databaseUrl ? `DATABASE_URL ${redactUrl(config.databaseUrl)}` : config.dbPath;
  fail(`cannot open database ${where}: ${oneLine(err)}`);
}
const adminToken = await resolveAdminToken(storage.settings, config.token, config.resetToken);

// With REDIS_URL, live state (limits, link health, config changes) is shared with the other instances
// (its code, like PostgreSQL's and copy-db's, loads only when asked for).
let cluster: RedisCluster | undefined;
if (config.redisUrl) {
  const { RedisCluster } = await import("./cluster/redis");
  cluster = new RedisCluster({
    url: config.redisUrl,
    prefix: config.redisPrefix,
    instance: instanceId(config.instanceId),
    version: VERSION,
    startedAt: Date.now(),
    logger,
  });
  try {
    await cluster.start();
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
}
const app = createApp({ storage, config, adminToken, logger, cluster });
try {
  await app.decorator.gateway.ready;
} catch (err) {
  fail(`cannot read the configuration from ${storage.location}: ${oneLine(err)}`);
}

try {
  app.listen({
    port: config.port,
    hostname: config.host,
    // Elysia defaults to reusePort: true, which lets a second instance share the port silently.
    reusePort: false,
    // Long silent streams (reasoning models) must not be cut by the server's idle timer.
    idleTimeout: 0,
    // The proxy enforces BODY_LIMIT_MB itself (413 in the caller's protocol); the server's cap also admits
    // an original llmio database uploaded to /api/import/llmio (64 MiB).
    maxRequestBodySize: Math.max(config.bodyLimit, 64 * 1024 * 1024) + 1024 * 1024,
  });
} catch (err) {
  fail(`cannot listen on ${config.host}:${config.port}: ${err instanceof Error ? err.message : String(err)}`);
}

const port = app.server?.port ?? config.port;
const shown = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
const url = `http://${shown}:${port}`;
process.stdout.write(
  `llmio ${VERSION} listening on ${url} (database ${storage.location}${cluster ? `, shared state ${redactUrl(config.redisUrl as string)} as ${cluster.instance}` : ""})\n`,
);
if (adminToken.generated) {
  process.stdout.write(
    `No TOKEN set: generated an admin token (shown once, stored hashed):\n  ${adminToken.generated}\nLog in at ${url}/login\n`,
  );
} else if (adminToken.source === "stored") {
  process.stdout.write(
    `Admin token: the one generated earlier (set TOKEN or pass --reset-token to replace it). UI: ${url}\n`,
  );
} else {
  process.stdout.write(`Admin UI: ${url} (token from TOKEN)\n`);
}

/** How long the last bytes of the requests ended at the grace's end (their error events) get to go out. */
const FLUSH_MS = 2000;

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  const { lifecycle, recorder } = app.decorator.gateway;
  // Drain: readiness answers 503 and new proxy requests are refused (in their protocol) from now on.
  lifecycle.drain();
  logger.info(`received ${signal}, draining ${lifecycle.inFlight} requests in flight`, {
    grace_s: config.shutdownGraceMs / 1000,
  });
  const done = await Promise.race([
    lifecycle.idle().then(() => true),
    Bun.sleep(config.shutdownGraceMs).then(() => false),
  ]);
  if (!done) {
    logger.warn(`shutdown grace over: ending ${lifecycle.inFlight} requests with an error`);
    // Each ends with its protocol's error (stream event or 503 body) and is recorded at once.
    lifecycle.interrupt();
  }
  // Let the answers already under way reach their clients, then close every connection.
  const flushed = await Promise.race([
    app.stop(false).then(() => true),
    Bun.sleep(FLUSH_MS).then(() => false),
  ]);
  if (!flushed) await app.stop(true).catch(() => {});
  // Write every request record still queued before the database closes.
  await recorder.close();
  await cluster?.close();
  await app.decorator.gateway.analytics.close();
  await storage.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
