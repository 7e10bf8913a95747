import { SQL } from "bun";
import { openDatabase } from "../../src/storage/db";
import { openPostgres, type PostgresStorage } from "../../src/storage/postgres";
import { type SqliteStorage, sqliteStorage } from "../../src/storage/sqlite";

/*
 * A PostgreSQL server for the tests: TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres,
 * trust auth) names a maintenance database; each test creates its own database there and drops it after.
 * Without a server the PostgreSQL suites skip with one line, except under CI=true, where they must run.
 */

export const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function probe(): Promise<string | null> {
  const sql = new SQL(ADMIN_URL, { max: 1, connectionTimeout: 3 });
  try {
    await sql.unsafe("SELECT 1");
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await sql.close().catch(() => {});
  }
}

const missing = await probe();
if (missing && process.env.CI === "true")
  throw new Error(`CI=true and PostgreSQL is unreachable at ${ADMIN_URL}: ${missing}`);

/** Whether a PostgreSQL server answers at ADMIN_URL. */
export const havePostgres = missing === null;

let warned = false;
/** Prints the one skip line (once per file). */
export function warnSkip(what: string): void {
  if (havePostgres || warned) return;
  warned = true;
  console.warn(`skipping ${what}: PostgreSQL is unreachable at ${ADMIN_URL} (set TEST_POSTGRES_URL)`);
}

/** A URL naming database `name` on the test server. */
export function urlFor(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TempDatabase {
  name: string;
  url: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** CREATE DATABASE llmio_test_<random>; drop() removes it. */
export async function createTempDatabase(): Promise<TempDatabase> {
  const name = `llmio_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = new SQL(ADMIN_URL, { max: 1 });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  return {
    name,
    url: urlFor(name),
    async drop() {
      const a = new SQL(ADMIN_URL, { max: 1 });
      try {
        await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.close();
      }
    },
  };
}

/** A parity suite's two backends: SQLite in memory and PostgreSQL on a fresh temporary database (closeBoth ends them). */
export async function openBoth(): Promise<{ lite: SqliteStorage; pg: PostgresStorage; pgDb: TempDatabase }> {
  const lite = sqliteStorage(openDatabase(":memory:"));
  const pgDb = await createTempDatabase();
  return { lite, pg: await openPostgres(pgDb.url, 2), pgDb };
}

/** Ends a parity suite: closes its PostgreSQL and SQLite storages and drops its temporary database. */
export async function closeBoth(
  pg: { close(): Promise<unknown> } | undefined,
  db: TempDatabase | undefined,
  lite: { close(): unknown } | undefined,
): Promise<void> {
  await pg?.close();
  await db?.drop();
  await lite?.close();
}
