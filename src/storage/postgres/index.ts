import type { Storage } from "../storage";
import { redactUrl } from "../../core/logger";
import { migratePostgres, neutral, pgPool, type Sql } from "./db";
import { pgRecords } from "./records";
import { pgRepos } from "./config";

export interface PostgresStorage extends Storage {
  readonly kind: "postgres";
  /** The pool itself (reports and copy-db run their own statements through it). */
  readonly sql: Sql;
}

/** The storage interface over a PostgreSQL pool (Bun.SQL); its transactions are the server's. */
export function postgresStorage(sql: Sql, url: string): PostgresStorage {
  return {
    ...pgRepos(sql),
    kind: "postgres",
    location: redactUrl(url),
    sql,
    async transaction(fn) {
      try {
        return (await sql.begin((tx) => fn(pgRepos(tx)))) as Awaited<ReturnType<typeof fn>>;
      } catch (err) {
        throw neutral(err);
      }
    },
    records: pgRecords(sql),
    close: () => sql.close(),
  };
}

/**
 * Connects to the database at `url` and brings its schema up to date (under the migration lock), or
 * throws with a one-line reason: the server unreachable, the database missing, the credentials refused.
 */
export async function openPostgres(url: string, poolSize = 10): Promise<PostgresStorage> {
  const sql = pgPool(url, poolSize);
  try {
    await sql.unsafe("SELECT 1");
    await migratePostgres(sql);
  } catch (err) {
    await sql.close().catch(() => {});
    const e = err as Error & { errno?: string };
    throw new Error(e.message || String(err));
  }
  return postgresStorage(sql, url);
}
