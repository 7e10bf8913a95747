import { SQL } from "bun";
import { ConstraintError, storageUnavailable } from "../errors";
import { PG_MIGRATIONS, type PgMigration } from "./migrations";

/** A connection pool or a transaction: both run queries. */
export type Sql = SQL;

type Row = Record<string, unknown>;

/** SQLSTATE classes that mean "the server is not there for us right now". */
const UNAVAILABLE_STATES = /^(08|53|57P|3D000)/;

/** Maps a PostgreSQL error to the backend-neutral ones (constraint, unavailable), else returns it. */
export function neutral(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const e = err as Error & { code?: string; errno?: string };
  if (e.errno === "23505") return new ConstraintError("unique", e.message);
  if (e.errno === "23503") return new ConstraintError("foreign_key", e.message);
  const serverError = e.code === "ERR_POSTGRES_SERVER_ERROR";
  if ((e.code?.startsWith("ERR_POSTGRES_") && !serverError) || UNAVAILABLE_STATES.test(e.errno ?? ""))
    return storageUnavailable();
  return err;
}

/** Runs one statement with `$n` parameters; errors come back neutral. */
export async function query<T = Row>(sql: Sql, text: string, params: unknown[] = []): Promise<T[]> {
  try {
    return [...((await sql.unsafe(text, params)) as T[])];
  } catch (err) {
    throw neutral(err);
  }
}

/** bigint columns arrive as strings: numbers here (epoch ms and counts stay below 2^53). */
export const num = (v: unknown): number | null =>
  v === null || v === undefined ? null : typeof v === "number" ? v : Number(v);

/** A fixed key for the migration lock (any bigint; this one spells "llmio"). */
const MIGRATION_LOCK = 0x6c6c6d696f;

/**
 * Applies every migration not yet recorded, all in one transaction that first takes a transaction-level
 * advisory lock: instances starting together queue on the lock, and the ones after the first find the
 * migrations recorded and apply nothing. Resolves with how many this call applied.
 */
export async function migratePostgres(sql: Sql, migrations: readonly PgMigration[] = PG_MIGRATIONS) {
  try {
    return await sql.begin(async (tx) => {
      await tx.unsafe(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      await tx.unsafe(
        "CREATE TABLE IF NOT EXISTS schema_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)",
      );
      const done = new Set(
        ((await tx.unsafe("SELECT id FROM schema_migrations")) as { id: number }[]).map((r) => r.id),
      );
      let applied = 0;
      for (const m of migrations) {
        if (done.has(m.id)) continue;
        await tx.unsafe(m.sql);
        await tx.unsafe("INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)", [
          m.id,
          m.name,
          Date.now(),
        ]);
        applied++;
      }
      return applied;
    });
  } catch (err) {
    throw neutral(err);
  }
}

/** The highest migration applied. */
export async function pgSchemaVersion(sql: Sql): Promise<number> {
  const rows = await query<{ v: number | null }>(sql, "SELECT MAX(id) AS v FROM schema_migrations");
  return rows[0]?.v ?? 0;
}

/** A pool for the URL; nothing connects until the first query. */
export function pgPool(url: string, max = 10): Sql {
  return new SQL(url, { max, connectionTimeout: 5, idleTimeout: 60 });
}
