import { VERSION } from "./core/version";

import { type LogLevel, redactUrl } from "./core/logger";

export type { LogLevel };

/** Everything the process reads from its environment and flags, validated once at startup. */
export interface Config {
  token: string | undefined;
  port: number;
  host: string;
  dbPath: string;
  /** PostgreSQL for configuration and records (several instances share it); unset: SQLite at dbPath. */
  databaseUrl: string | undefined;
  logLevel: LogLevel;
  tz: string | undefined;
  /** Largest client request body accepted by the proxy, in bytes. */
  bodyLimit: number;
  /** A stream that sends nothing for this long is ended with an error (ms). */
  streamIdleMs: number;
  /** On SIGTERM, how long requests in flight may take to finish before they are ended (ms). */
  shutdownGraceMs: number;
  /** Request logs older than this many days are deleted (0 keeps them forever). */
  logRetentionDays: number;
  /** Hourly rollups (the dashboard's figures) older than this many days are deleted (0 keeps them). */
  rollupRetentionDays: number;
  /** A console report (dashboard, logs) that takes longer answers 504 (ms). */
  analyticsTimeoutMs: number;
  /** Serve /metrics without the admin token. */
  metricsPublic: boolean;
  /** Take the client address from X-Forwarded-For (only behind a reverse proxy you run). */
  trustProxy: boolean;
  resetToken: boolean;
  /** Redis for the live state several instances share (`redis://…`); unset, that state stays in memory. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel, so several gateways can share one Redis. */
  redisPrefix: string;
  /** This instance's name in records and the live-instance list (default: hostname-pid). */
  instanceId: string | undefined;
}

export class ConfigError extends Error {}

/** `llmio copy-db --db <sqlite file> --to <postgres url>`: move a single-machine database up. */
export interface CopyDbCommand {
  from: string;
  to: string;
}

export type ParseResult =
  | { kind: "config"; config: Config }
  | { kind: "copy-db"; copy: CopyDbCommand }
  | { kind: "exit"; output: string };

export const HELP = `llmio ${VERSION} — one LLM API gateway for OpenAI, Anthropic and Gemini clients

Usage: llmio [options]
       llmio copy-db --db <sqlite file> --to <postgres url>

copy-db copies a single-machine database (configuration, keys, settings, request logs with their bodies)
into an empty PostgreSQL database, and refuses one that already holds data.

Options (each also read from the environment variable in brackets):
  --port <n>           listen port (PORT or LLMIO_SERVER_PORT, default 7070)
  --host <addr>        listen address (HOST, default 0.0.0.0)
  --db <path>          SQLite database file (DB_PATH, default ./db/llmio.db)
  --database-url <url> PostgreSQL instead of SQLite, shared by several instances (DATABASE_URL,
                       postgres://user:password@host:5432/db)
  --token <t>          admin token (TOKEN; generated and stored when unset)
  --log-level <l>      debug|info|warn|error|silent (LOG_LEVEL, default info)
  --body-limit-mb <n>  largest proxied request body in MiB (BODY_LIMIT_MB, default 32)
  --stream-idle-s <n>  end a stream silent for this long (STREAM_IDLE_S, default 120)
  --shutdown-grace-s <n>  on SIGTERM, let requests in flight finish for this long, then end them
                       with their protocol's error (SHUTDOWN_GRACE_S, default 30)
  --log-retention-days <n>  delete request logs older than n days (LOG_RETENTION_DAYS, default 0 = keep)
  --rollup-retention-days <n>  delete the dashboard's hourly rollups older than n days
                       (ROLLUP_RETENTION_DAYS, default 400; 0 = keep)
  --analytics-timeout-s <n>  a dashboard or log query taking longer answers 504 (ANALYTICS_TIMEOUT_S, default 15)
  --metrics-public     serve /metrics without the token (METRICS_PUBLIC=true)
  --trust-proxy        read the client IP from X-Forwarded-For (TRUST_PROXY=true)
  --redis-url <url>    share live state with other instances through Redis: limits, cooldowns,
                       breakers, config changes (REDIS_URL, redis:// or rediss://; unset: in memory)
  --redis-prefix <p>   prefix of llmio's Redis keys and channel (REDIS_PREFIX, default "llmio:")
  --instance-id <id>   this instance's name in request logs and /api/health (INSTANCE_ID,
                       default hostname-pid)
  --reset-token        generate a new admin token, print it once, and start
  -h, --help           show this help
  -v, --version        print the version
`;

const FLAG_TO_KEY: Record<string, string> = {
  "--port": "PORT",
  "--host": "HOST",
  "--db": "DB_PATH",
  "--database-url": "DATABASE_URL",
  "--token": "TOKEN",
  "--log-level": "LOG_LEVEL",
  "--body-limit-mb": "BODY_LIMIT_MB",
  "--stream-idle-s": "STREAM_IDLE_S",
  "--shutdown-grace-s": "SHUTDOWN_GRACE_S",
  "--log-retention-days": "LOG_RETENTION_DAYS",
  "--redis-url": "REDIS_URL",
  "--instance-id": "INSTANCE_ID",
  "--redis-prefix": "REDIS_PREFIX",
  "--rollup-retention-days": "ROLLUP_RETENTION_DAYS",
  "--analytics-timeout-s": "ANALYTICS_TIMEOUT_S",
};
const BOOLEAN_FLAGS: Record<string, string> = {
  "--metrics-public": "METRICS_PUBLIC",
  "--trust-proxy": "TRUST_PROXY",
  "--reset-token": "RESET_TOKEN",
};
const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

function integer(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`invalid ${name}: "${raw}" is not a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`invalid ${name}: ${n} is outside ${min}..${max}`);
  return n;
}

function boolean(name: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off", ""].includes(v)) return false;
  throw new ConfigError(`invalid ${name}: "${raw}" is not true or false`);
}

/** A PostgreSQL URL, or a ConfigError that names the variable (never the password). */
export function postgresUrl(name: string, raw: string): string {
  const value = raw.trim();
  let ok = false;
  try {
    const u = new URL(value);
    ok = (u.protocol === "postgres:" || u.protocol === "postgresql:") && u.hostname !== "";
  } catch {}
  if (!ok) throw new ConfigError(`invalid ${name}: expected postgres://user:password@host:port/database`);
  return value;
}

function parseCopyDb(argv: readonly string[]): ParseResult {
  let from: string | undefined;
  let to: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "-h" || arg === "--help") return { kind: "exit", output: HELP };
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    if (flag !== "--db" && flag !== "--to")
      throw new ConfigError(`copy-db: unknown option ${flag} (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined || value.trim() === "")
      throw new ConfigError(`copy-db: missing value for ${flag}`);
    if (flag === "--db") from = value.trim();
    else to = postgresUrl("--to", value);
  }
  if (!from) throw new ConfigError("copy-db: --db <sqlite file> is required");
  if (!to) throw new ConfigError("copy-db: --to <postgres url> is required");
  return { kind: "copy-db", copy: { from, to } };
}

/** Reads flags over environment variables; throws ConfigError with a one-line message on a bad value. */
export function parseConfig(argv: readonly string[], env: Record<string, string | undefined>): ParseResult {
  if (argv[0] === "copy-db") return parseCopyDb(argv.slice(1));
  // An empty variable counts as unset (compose files often pass `VAR=`).
  const values: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""),
  );
  let portName = "PORT";
  if (values.PORT === undefined && values.LLMIO_SERVER_PORT !== undefined) {
    values.PORT = values.LLMIO_SERVER_PORT;
    portName = "LLMIO_SERVER_PORT";
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "-h" || arg === "--help") return { kind: "exit", output: HELP };
    if (arg === "-v" || arg === "--version") return { kind: "exit", output: `llmio ${VERSION}\n` };
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    if (flag in BOOLEAN_FLAGS) {
      values[BOOLEAN_FLAGS[flag] as string] = inline ?? "true";
      continue;
    }
    const key = FLAG_TO_KEY[flag];
    if (!key) throw new ConfigError(`unknown option: ${flag} (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`missing value for ${flag}`);
    values[key] = value;
  }

  const logLevel = (values.LOG_LEVEL ?? "info").toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`invalid LOG_LEVEL: "${values.LOG_LEVEL}" (one of ${LOG_LEVELS.join(", ")})`);
  }
  const host = values.HOST?.trim() || "0.0.0.0";
  const dbPath = values.DB_PATH?.trim() || "./db/llmio.db";
  const databaseUrl =
    values.DATABASE_URL === undefined ? undefined : postgresUrl("DATABASE_URL", values.DATABASE_URL);
  const token = values.TOKEN?.trim() || undefined;
  if (token !== undefined && token.length < 4)
    throw new ConfigError("invalid TOKEN: use at least 4 characters");
  const tz = values.TZ?.trim() || undefined;
  if (tz) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
    } catch {
      throw new ConfigError(`invalid TZ: "${tz}" is not a known time zone`);
    }
  }
  const redisUrl = values.REDIS_URL?.trim() || undefined;
  if (redisUrl !== undefined) checkRedisUrl(redisUrl);
  const instanceId = values.INSTANCE_ID?.trim() || undefined;
  if (instanceId !== undefined && !/^[\w.:-]{1,64}$/.test(instanceId))
    throw new ConfigError("invalid INSTANCE_ID: use 1 to 64 letters, digits, '.', ':', '_' or '-'");
  return {
    kind: "config",
    config: {
      token,
      port: values.PORT === undefined ? 7070 : integer(portName, values.PORT, 0, 65535),
      host,
      dbPath,
      databaseUrl,
      logLevel,
      tz,
      bodyLimit: integer("BODY_LIMIT_MB", values.BODY_LIMIT_MB ?? "32", 1, 1024) * 1024 * 1024,
      streamIdleMs: integer("STREAM_IDLE_S", values.STREAM_IDLE_S ?? "120", 1, 86400) * 1000,
      shutdownGraceMs: integer("SHUTDOWN_GRACE_S", values.SHUTDOWN_GRACE_S ?? "30", 0, 86400) * 1000,
      logRetentionDays: integer("LOG_RETENTION_DAYS", values.LOG_RETENTION_DAYS ?? "0", 0, 36500),
      rollupRetentionDays: integer("ROLLUP_RETENTION_DAYS", values.ROLLUP_RETENTION_DAYS ?? "400", 0, 36500),
      analyticsTimeoutMs: integer("ANALYTICS_TIMEOUT_S", values.ANALYTICS_TIMEOUT_S ?? "15", 1, 3600) * 1000,
      metricsPublic: boolean("METRICS_PUBLIC", values.METRICS_PUBLIC ?? "false"),
      trustProxy: boolean("TRUST_PROXY", values.TRUST_PROXY ?? "false"),
      resetToken: boolean("RESET_TOKEN", values.RESET_TOKEN ?? "false"),
      redisUrl,
      redisPrefix: values.REDIS_PREFIX?.trim() || "llmio:",
      instanceId,
    },
  };
}

function checkRedisUrl(raw: string): void {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`invalid REDIS_URL: ${redactUrl(raw)} is not a URL (redis://host:port)`);
  }
  if (!["redis:", "rediss:", "valkey:", "valkeys:"].includes(u.protocol) || !u.hostname)
    throw new ConfigError(
      `invalid REDIS_URL: ${redactUrl(raw)} is not a redis:// or rediss:// URL with a host`,
    );
}
