import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { openDatabase } from "./db";
import { num, query, type Sql } from "./postgres/db";
import { openPostgres } from "./postgres";
import { backfillStep, ROLLUP_TABLES, rollupColumns } from "./rollups";

/** The tables copy-db carries, parents before children; `seq` names an AUTOINCREMENT high-water mark. */
const TABLES: { name: string; key: string; identity: boolean }[] = [
  { name: "providers", key: "id", identity: true },
  { name: "models", key: "id", identity: true },
  { name: "model_providers", key: "id", identity: true },
  { name: "api_keys", key: "id", identity: true },
  { name: "settings", key: "key", identity: false },
  { name: "request_logs", key: "id", identity: true },
  { name: "request_bodies", key: "log_id", identity: false },
];

/** Rows read and written per statement (request bodies can be large; PostgreSQL binds ≤ 65,535 values). */
const PAGE = 500;

/** One-line failures of copy-db (the process prints the message and exits 2). */
export class CopyDbError extends Error {}

export type CopyReport = Record<string, number>;

async function targetColumns(sql: Sql, table: string): Promise<Map<string, string>> {
  const rows = await query<{ column_name: string; data_type: string }>(
    sql,
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
    [table],
  );
  return new Map(rows.map((r) => [r.column_name, r.data_type]));
}

/**
 * Copies a single-machine SQLite database (migrated to the current schema first) into an empty
 * PostgreSQL database, ids and all, in one transaction: a failed copy leaves the target empty. Sequences
 * resume past every id SQLite ever handed out, so a deleted key's or provider's id never comes back.
 */
export async function copySqliteToPostgres(from: string, to: string): Promise<CopyReport> {
  if (!existsSync(from)) throw new CopyDbError(`no SQLite database at ${from}`);
  let source: Database;
  try {
    source = openDatabase(from);
  } catch (err) {
    throw new CopyDbError(`cannot open ${from}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const target = await openPostgres(to, 2).catch((err) => {
      throw new CopyDbError(
        `cannot open the target database: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    try {
      for (const t of [...TABLES, ...ROLLUP_TABLES]) {
        const rows = await query(target.sql, `SELECT 1 FROM ${t.name} LIMIT 1`);
        if (rows.length > 0)
          throw new CopyDbError(
            `the target database is not empty (${t.name} has rows); copy-db only fills an empty one`,
          );
      }
      // The rollups of records stored before SQLite's migration 4 may still be owed: built first.
      while (backfillStep(source) > 0) {}
      return await target.sql.begin(async (tx) => {
        const report: CopyReport = {};
        for (const t of TABLES) report[t.name] = await copyTable(source, tx, t);
        for (const t of ROLLUP_TABLES)
          report[t.name] = await copyRollups(source, tx, t.name, rollupColumns(t));
        return report;
      });
    } finally {
      await target.close();
    }
  } finally {
    source.close();
  }
}

async function copyTable(source: Database, tx: Sql, t: (typeof TABLES)[number]): Promise<number> {
  const types = await targetColumns(tx, t.name);
  const sourceCols = (source.query(`PRAGMA table_info(${t.name})`).all() as { name: string }[]).map(
    (c) => c.name,
  );
  const cols = sourceCols.filter((c) => types.has(c));
  const read = source.query(
    `SELECT ${cols.join(", ")} FROM ${t.name} WHERE ${t.key} > ? ORDER BY ${t.key} LIMIT ${PAGE}`,
  );
  let last: string | number = t.key === "key" ? "" : -1;
  let copied = 0;
  for (;;) {
    const rows = read.all(last) as Record<string, unknown>[];
    if (rows.length === 0) break;
    const values = rows.flatMap((r) =>
      cols.map((c) => (types.get(c) === "boolean" ? r[c] === 1 || r[c] === true : r[c])),
    );
    const marks = rows
      .map((_, i) => `(${cols.map((_, j) => `$${i * cols.length + j + 1}`).join(", ")})`)
      .join(", ");
    await query(tx, `INSERT INTO ${t.name} (${cols.join(", ")}) VALUES ${marks}`, values);
    copied += rows.length;
    last = rows[rows.length - 1]?.[t.key] as string | number;
  }
  if (t.identity) {
    const seq = source.query("SELECT seq FROM sqlite_sequence WHERE name = ?").get(t.name) as {
      seq: number;
    } | null;
    const max = num((await query<{ m: unknown }>(tx, `SELECT MAX(id) AS m FROM ${t.name}`))[0]?.m) ?? 0;
    const next = Math.max(max, seq?.seq ?? 0);
    if (next > 0) await query(tx, `SELECT setval(pg_get_serial_sequence('${t.name}', 'id'), $1)`, [next]);
  }
  return copied;
}

/**
 * Copies a rollup table's rows as they are (the same columns and histogram text on both backends): the
 * dashboard's history, which outlives the records that LOG_RETENTION_DAYS deleted.
 */
async function copyRollups(source: Database, tx: Sql, table: string, cols: string[]): Promise<number> {
  const insert = (rows: Record<string, unknown>[]) => {
    const marks = rows
      .map((_, i) => `(${cols.map((_, j) => `$${i * cols.length + j + 1}`).join(", ")})`)
      .join(", ");
    return query(
      tx,
      `INSERT INTO ${table} (${cols.join(", ")}) VALUES ${marks}`,
      rows.flatMap((r) => cols.map((c) => r[c])),
    );
  };
  let page: Record<string, unknown>[] = [];
  let copied = 0;
  for (const row of source.query(`SELECT ${cols.join(", ")} FROM ${table}`).iterate()) {
    page.push(row as Record<string, unknown>);
    if (page.length === PAGE) {
      await insert(page);
      copied += page.length;
      page = [];
    }
  }
  if (page.length) await insert(page);
  return copied + page.length;
}
