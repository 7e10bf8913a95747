import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { type Config, ConfigError, HELP, parseConfig } from "../src/config";
import { VERSION } from "../src/core/version";

const ROOT = join(import.meta.dir, "..");

function config(argv: string[], env: Record<string, string | undefined> = {}): Config {
  const parsed = parseConfig(argv, env);
  if (parsed.kind !== "config") throw new Error(`expected a config, got ${JSON.stringify(parsed)}`);
  return parsed.config;
}

/** The ConfigError a bad input raises (fails the test when none is raised). */
function configError(argv: string[], env: Record<string, string | undefined> = {}): ConfigError {
  try {
    parseConfig(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for argv=${JSON.stringify(argv)} env=${JSON.stringify(env)}`);
}

describe("parseConfig", () => {
  it("has the documented defaults with no flags and an empty environment", () => {
    expect(config([])).toEqual({
      token: undefined,
      port: 7070,
      host: "0.0.0.0",
      dbPath: "./db/llmio.db",
      databaseUrl: undefined,
      logLevel: "info",
      tz: undefined,
      bodyLimit: 32 * 1024 * 1024,
      streamIdleMs: 120_000,
      shutdownGraceMs: 30_000,
      logRetentionDays: 0,
      rollupRetentionDays: 400,
      analyticsTimeoutMs: 15_000,
      metricsPublic: false,
      trustProxy: false,
      resetToken: false,
      redisUrl: undefined,
      redisPrefix: "llmio:",
      instanceId: undefined,
    });
  });

  it("reads every setting from the environment", () => {
    const c = config([], {
      PORT: "8080",
      HOST: "127.0.0.1",
      DB_PATH: "/data/x.db",
      DATABASE_URL: "postgres://llmio:pw@db:5432/llmio",
      TOKEN: "secret-token",
      LOG_LEVEL: "DEBUG",
      TZ: "Asia/Shanghai",
      BODY_LIMIT_MB: "4",
      STREAM_IDLE_S: "30",
      SHUTDOWN_GRACE_S: "5",
      LOG_RETENTION_DAYS: "90",
      ROLLUP_RETENTION_DAYS: "800",
      ANALYTICS_TIMEOUT_S: "5",
      METRICS_PUBLIC: "yes",
      TRUST_PROXY: "true",
      RESET_TOKEN: "1",
      REDIS_URL: "redis://:pw@127.0.0.1:6379/2",
      INSTANCE_ID: "gw-a",
      REDIS_PREFIX: "team-a:",
    });
    expect(c).toEqual({
      token: "secret-token",
      port: 8080,
      host: "127.0.0.1",
      dbPath: "/data/x.db",
      databaseUrl: "postgres://llmio:pw@db:5432/llmio",
      logLevel: "debug",
      tz: "Asia/Shanghai",
      bodyLimit: 4 * 1024 * 1024,
      streamIdleMs: 30_000,
      shutdownGraceMs: 5_000,
      logRetentionDays: 90,
      rollupRetentionDays: 800,
      analyticsTimeoutMs: 5_000,
      metricsPublic: true,
      trustProxy: true,
      resetToken: true,
      redisUrl: "redis://:pw@127.0.0.1:6379/2",
      redisPrefix: "team-a:",
      instanceId: "gw-a",
    });
  });

  it("lets flags win over the environment, in both --flag value and --flag=value forms", () => {
    const env = { PORT: "8080", HOST: "127.0.0.1", TOKEN: "from-env", LOG_LEVEL: "warn", DB_PATH: "env.db" };
    const c = config(
      ["--port", "9090", "--host=::1", "--token", "from-flag", "--log-level=error", "--db", "flag.db"],
      env,
    );
    expect(c.port).toBe(9090);
    expect(c.host).toBe("::1");
    expect(c.token).toBe("from-flag");
    expect(c.logLevel).toBe("error");
    expect(c.dbPath).toBe("flag.db");
  });

  it("takes PostgreSQL from --database-url over DATABASE_URL, and refuses any other scheme without echoing it", () => {
    expect(
      config(["--database-url", "postgresql://h/db"], { DATABASE_URL: "postgres://e/db" }).databaseUrl,
    ).toBe("postgresql://h/db");
    const err = configError([], { DATABASE_URL: "mysql://root:hunter2@h/db" });
    expect(err.message).toBe("invalid DATABASE_URL: expected postgres://user:password@host:port/database");
    expect(configError(["--database-url=not a url"]).message).toStartWith("invalid DATABASE_URL");
  });

  it("parses copy-db with its source file and target URL, and names what is missing", () => {
    expect(parseConfig(["copy-db", "--db", "a.db", "--to=postgres://h/x"], {})).toEqual({
      kind: "copy-db",
      copy: { from: "a.db", to: "postgres://h/x" },
    });
    expect(configError(["copy-db", "--db", "a.db"]).message).toBe("copy-db: --to <postgres url> is required");
    expect(configError(["copy-db", "--to", "postgres://h/x"]).message).toBe(
      "copy-db: --db <sqlite file> is required",
    );
    expect(configError(["copy-db", "--db", "a.db", "--to", "sqlite://x"]).message).toStartWith(
      "invalid --to",
    );
    expect(configError(["copy-db", "--port", "1"]).message).toBe(
      "copy-db: unknown option --port (see --help)",
    );
  });

  it("turns boolean flags on without a value and accepts an explicit one", () => {
    expect(config(["--metrics-public", "--reset-token"])).toMatchObject({
      metricsPublic: true,
      resetToken: true,
    });
    expect(config(["--metrics-public=false"], { METRICS_PUBLIC: "true" }).metricsPublic).toBe(false);
  });

  it("reads LLMIO_SERVER_PORT when PORT is unset, and lets PORT and --port win over it", () => {
    expect(config([], { LLMIO_SERVER_PORT: "7171" }).port).toBe(7171);
    expect(config([], { LLMIO_SERVER_PORT: "7171", PORT: "7272" }).port).toBe(7272);
    expect(config(["--port", "7373"], { LLMIO_SERVER_PORT: "7171" }).port).toBe(7373);
  });

  it("treats an empty or blank TOKEN as unset, so a token is generated", () => {
    expect(config([], { TOKEN: "" }).token).toBeUndefined();
    expect(config([], { TOKEN: "   " }).token).toBeUndefined();
  });

  it("returns the help text for -h/--help and the version for -v/--version, ignoring other flags", () => {
    expect(parseConfig(["--help"], {})).toEqual({ kind: "exit", output: HELP });
    expect(parseConfig(["--port", "abc", "-h"], {})).toEqual({ kind: "exit", output: HELP });
    expect(parseConfig(["-v"], {})).toEqual({ kind: "exit", output: `llmio ${VERSION}\n` });
    expect(parseConfig(["--version"], { PORT: "1" })).toEqual({ kind: "exit", output: `llmio ${VERSION}\n` });
  });

  it.each([
    ["PORT", [], { PORT: "abc" }],
    ["PORT", [], { PORT: "70000" }],
    ["PORT", [], { PORT: "-1" }],
    ["PORT", [], { PORT: "80.5" }],
    ["PORT", ["--port", "abc"], {}],
    ["PORT", [], { LLMIO_SERVER_PORT: "nope" }],
    ["LOG_LEVEL", [], { LOG_LEVEL: "loud" }],
    ["LOG_LEVEL", ["--log-level", "trace"], {}],
    ["TOKEN", [], { TOKEN: "abc" }],
    ["TZ", [], { TZ: "Mars/Olympus_Mons" }],
    ["BODY_LIMIT_MB", [], { BODY_LIMIT_MB: "0" }],
    ["BODY_LIMIT_MB", [], { BODY_LIMIT_MB: "2048" }],
    ["BODY_LIMIT_MB", ["--body-limit-mb", "lots"], {}],
    ["STREAM_IDLE_S", [], { STREAM_IDLE_S: "0" }],
    ["STREAM_IDLE_S", [], { STREAM_IDLE_S: "100000" }],
    ["METRICS_PUBLIC", [], { METRICS_PUBLIC: "maybe" }],
    ["RESET_TOKEN", [], { RESET_TOKEN: "perhaps" }],
    ["--frobnicate", ["--frobnicate"], {}],
    ["--port", ["--port"], {}],
  ] as [string, string[], Record<string, string>][])(
    "rejects a bad %s with a one-line ConfigError naming it (argv %j, env %j)",
    (name, argv, env) => {
      const err = configError(argv, env);
      expect(err.message).toContain(name);
      expect(err.message).not.toContain("\n");
    },
  );
});

describe("llmio process", () => {
  const run = (args: string[]) =>
    Bun.spawnSync([process.execPath, "src/index.ts", ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 15_000,
    });

  it("exits 2 with one stderr line naming PORT on --port abc", () => {
    const res = run(["--port", "abc"]);
    expect(res.exitCode).toBe(2);
    const stderr = res.stderr.toString();
    expect(stderr).toContain("PORT");
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(res.stdout.toString()).toBe("");
  }, 30_000);

  it("prints the help and exits 0 on --help", () => {
    const res = run(["--help"]);
    expect(res.exitCode).toBe(0);
    expect(res.stdout.toString()).toBe(HELP);
  }, 30_000);

  it("prints the version and exits 0 on --version", () => {
    const res = run(["--version"]);
    expect(res.exitCode).toBe(0);
    expect(res.stdout.toString()).toBe(`llmio ${VERSION}\n`);
  }, 30_000);
});

describe("shared-state settings", () => {
  it("reads --redis-url and --instance-id as flags", () => {
    const c = config(["--redis-url", "rediss://cache.internal:6380", "--instance-id=node-2"]);
    expect(c.redisUrl).toBe("rediss://cache.internal:6380");
    expect(c.instanceId).toBe("node-2");
  });

  it.each([
    ["http://127.0.0.1:6379", /REDIS_URL/],
    ["not a url", /REDIS_URL/],
    ["redis://", /REDIS_URL/],
  ])("refuses REDIS_URL %p with a one-line message", (url, re) => {
    const err = configError([], { REDIS_URL: url });
    expect(err.message).toMatch(re);
    expect(err.message).not.toContain("\n");
  });

  it("never shows a Redis password in its message", () => {
    const err = configError([], { REDIS_URL: "http://user:hunter2@127.0.0.1" });
    expect(err.message).not.toContain("hunter2");
  });

  it("refuses an INSTANCE_ID with spaces", () => {
    expect(configError([], { INSTANCE_ID: "a b" }).message).toMatch(/INSTANCE_ID/);
  });
});
