import { afterEach, describe, expect, it, setDefaultTimeout } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/storage/db";
import { openPostgres } from "../../src/storage/postgres";
import { sqliteStorage } from "../../src/storage/sqlite";
import { createTempDatabase, havePostgres, type TempDatabase, urlFor, warnSkip } from "../helpers/postgres";
import { record } from "../helpers/records";
import { REFUSED_HOST } from "../helpers/refused";
import { listeningPort, spawnChild } from "../smoke/process";

// Processes, Redis or PostgreSQL on a loaded machine: each test (and hook) gets its own time, with or
// without --timeout.
setDefaultTimeout(60_000);

/*
 * The real process on PostgreSQL: a bad or unreachable DATABASE_URL ends the start with one line and
 * exit 2; a good one serves the admin API from it; copy-db moves a real SQLite file into a fresh database
 * and refuses one that already holds data.
 */

const ROOT = join(import.meta.dir, "..", "..");
const TIMEOUT = 60_000;

function run(args: string[], env: Record<string, string>) {
  const r = Bun.spawnSync([process.execPath, "src/index.ts", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

describe("DATABASE_URL at startup", () => {
  it(
    "an unreachable server: one line naming DATABASE_URL (its password hidden), exit 2",
    () => {
      const url = `postgres://llmio:hunter2@${REFUSED_HOST}/llmio`;
      const r = run([], { DATABASE_URL: url, TOKEN: "tok-tok", PORT: "0" });
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toStartWith(
        "llmio: cannot open database DATABASE_URL postgres://llmio:***@127.0.0.1:",
      );
      expect(r.stderr + r.stdout).not.toContain("hunter2");
    },
    TIMEOUT,
  );

  it(
    "a URL of another scheme: one line naming DATABASE_URL, exit 2",
    () => {
      const r = run([], { DATABASE_URL: "mysql://root:pw@127.0.0.1/x", TOKEN: "tok-tok", PORT: "0" });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        "llmio: invalid DATABASE_URL: expected postgres://user:password@host:port/database\n",
      );
    },
    TIMEOUT,
  );
});

warnSkip("the PostgreSQL process tests");

describe.skipIf(!havePostgres)("the process on PostgreSQL", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const tempDb = async (): Promise<TempDatabase> => {
    const db = await createTempDatabase();
    cleanups.push(() => db.drop());
    return db;
  };

  it(
    "a database that does not exist: one line naming it, exit 2",
    () => {
      const r = run([], { DATABASE_URL: urlFor("llmio_no_such_db_here"), TOKEN: "tok-tok", PORT: "0" });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain("llmio_no_such_db_here");
    },
    TIMEOUT,
  );

  it(
    "migrates a fresh database and serves the admin API and its reports from it",
    async () => {
      const db = await tempDb();
      const child = spawnChild([process.execPath, "src/index.ts"], ROOT, {
        PATH: process.env.PATH ?? "",
        DATABASE_URL: db.url,
        TOKEN: "tok-tok",
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
      });
      cleanups.push(() => child.kill());
      await child.waitFor(/listening on .*\(database postgres:\/\//, 30_000);
      const port = await listeningPort(child, 0);
      const res = await fetch(`http://127.0.0.1:${port}/api/models`, {
        method: "POST",
        headers: { authorization: "Bearer tok-tok", "content-type": "application/json" },
        body: JSON.stringify({ name: "from-process" }),
      });
      expect(res.status).toBe(201);
      const pg = await openPostgres(db.url, 1);
      cleanups.push(() => pg.close());
      expect((await pg.models.all()).map((m) => m.name)).toEqual(["from-process"]);
      // The console's reports come from PostgreSQL (their code loads on the first one).
      const logs = await fetch(`http://127.0.0.1:${port}/api/logs`, {
        headers: { authorization: "Bearer tok-tok" },
      });
      expect(logs.status).toBe(200);
      expect(((await logs.json()) as { total: number }).total).toBe(0);
      expect(await child.stop("SIGTERM", 15_000)).toBe(0);
    },
    TIMEOUT,
  );

  it(
    "copy-db copies configuration, keys, settings and records with bodies, then refuses the non-empty target",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "llmio-copy-"));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const file = join(dir, "llmio.db");
      const source = sqliteStorage(openDatabase(file));
      const p = await source.providers.insert(
        { name: "p", type: "openai", base_url: "http://x", api_key: "sk-up", headers: { a: "b" } },
        1000,
      );
      const gone = await source.providers.insert(
        { name: "gone", type: "openai", base_url: "http://y" },
        1000,
      );
      await source.providers.remove(gone.id);
      const m = await source.models.insert({ name: "m", breaker: false }, 1000);
      await source.links.insert(
        { model_id: m.id, provider_id: p.id, provider_model: "up", input_price: 1.25 },
        1000,
      );
      const key = await source.keys.insert(
        {
          name: "k",
          enabled: true,
          allow_all: false,
          models: ["m"],
          expires_at: null,
          rpm_limit: 5,
          tpm_limit: null,
          budget: 2,
          currency: "USD",
          io_log: true,
        },
        "hash-k",
        "sk-llmio-…",
        1000,
      );
      await source.settings.set("admin_token_hash", "abc");
      await source.records.insert(
        Array.from({ length: 1200 }, (_, i) => ({
          ...record(i),
          key_id: key.id,
          cost: 0.001,
          stream: i % 2 === 0,
          bodies: i % 100 === 0 ? { request: `q${i}`, response: `a${i}` } : undefined,
        })),
      );
      // Older records that retention deleted: the rollups keep their figures, and copy-db carries those.
      await source.records.insert(
        Array.from({ length: 300 }, (_, i) => ({ ...record(5000 + i), created_at: 1_600_000_000_000 + i })),
      );
      expect(await source.records.prune(1_650_000_000_000, 1000)).toBe(300);
      const rollups = (db: { query: (q: string) => { all: () => unknown[] } }) =>
        db.query("SELECT * FROM request_rollups ORDER BY hour, status, style").all();
      const expectedRollups = rollups(source.db) as Record<string, unknown>[];
      expect(expectedRollups.reduce((n, r) => n + (r.reqs as number), 0)).toBe(1500);
      const expected = {
        providers: await source.providers.all(),
        models: await source.models.all(),
        links: await source.links.all(),
        keys: await source.keys.all(),
        routing: await source.keys.forRouting(),
      };
      const lastLog = source.db.query("SELECT * FROM request_logs ORDER BY id DESC LIMIT 1").get() as Record<
        string,
        unknown
      >;
      await source.close();

      const target = await tempDb();
      const r = run(["copy-db", "--db", file, "--to", target.url], {});
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("request_logs 1200, request_bodies 12, request_rollups");

      const pg = await openPostgres(target.url, 1);
      cleanups.push(() => pg.close());
      expect(await pg.providers.all()).toEqual(expected.providers);
      expect(await pg.models.all()).toEqual(expected.models);
      expect(await pg.links.all()).toEqual(expected.links);
      expect(await pg.keys.all()).toEqual(expected.keys);
      expect(await pg.keys.forRouting()).toEqual(expected.routing);
      expect(await pg.settings.get("admin_token_hash")).toBe("abc");
      const [row] = await pg.sql.unsafe(
        "SELECT id, trace_id, stream, created_at FROM request_logs ORDER BY id DESC LIMIT 1",
      );
      expect({ ...row, id: Number(row.id), created_at: Number(row.created_at) }).toEqual({
        id: lastLog.id,
        trace_id: lastLog.trace_id,
        stream: lastLog.stream === 1,
        created_at: lastLog.created_at,
      });
      const [body] = await pg.sql.unsafe(
        "SELECT request, response FROM request_bodies ORDER BY log_id DESC LIMIT 1",
      );
      expect(body).toEqual({ request: "q1100", response: "a1100" });
      const pgRollups = await pg.sql.unsafe("SELECT * FROM request_rollups ORDER BY hour, status, style");
      expect(
        [...pgRollups].map((r: Record<string, unknown>) =>
          Object.fromEntries(
            Object.entries(r).map(([k, v]) => [k, typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v]),
          ),
        ),
      ).toEqual(expectedRollups);
      const [daily] = await pg.sql.unsafe("SELECT SUM(reqs)::int AS n FROM dashboard_daily");
      expect(daily.n).toBe(1500);
      // Sequences resume past every id SQLite handed out, the deleted provider's included.
      const next = await pg.providers.insert({ name: "new", type: "openai", base_url: "http://z" }, 2000);
      expect(next.id).toBe(gone.id + 1);

      const again = run(["copy-db", "--db", file, "--to", target.url], {});
      expect(again.code).toBe(2);
      expect(again.stderr).toBe(
        "llmio: the target database is not empty (providers has rows); copy-db only fills an empty one\n",
      );
    },
    TIMEOUT,
  );
});
