#!/usr/bin/env bun
import { createApp } from "./app";
import { ConfigError, parseConfig } from "./config";
import { createLogger } from "./core/logger";
import { VERSION } from "./core/version";
import { resolveAdminToken } from "./http/admin-token";
import { openDatabase } from "./storage/db";

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
const config = parsed.config;
if (config.tz) process.env.TZ = config.tz;
const logger = createLogger(config.logLevel);

let db: ReturnType<typeof openDatabase>;
try {
  db = openDatabase(config.dbPath);
} catch (err) {
  fail(`cannot open database ${config.dbPath}: ${err instanceof Error ? err.message : String(err)}`);
}
const adminToken = resolveAdminToken(db, config.token, config.resetToken);
const app = createApp({ db, config, adminToken, logger });

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
process.stdout.write(`llmio ${VERSION} listening on ${url} (database ${config.dbPath})\n`);
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

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info(`received ${signal}, shutting down`);
  // Stop accepting; give requests in flight a few seconds, then close what is left.
  const graceful = await Promise.race([app.stop(false).then(() => true), Bun.sleep(5000).then(() => false)]);
  if (!graceful) await app.stop(true).catch(() => {});
  // Write every request record still queued before the database closes.
  await app.decorator.gateway.recorder.close();
  await app.decorator.gateway.analytics.close();
  db.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
