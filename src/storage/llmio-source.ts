import type { Database } from "bun:sqlite";

/*
 * Reads of an original llmio (Go) database file uploaded for import: a foreign schema, read table by
 * table as plain rows (the mapping to ours is in modules/admin/transfer/llmio-mapping.ts).
 */

type Row = Record<string, unknown>;

/** The names of the tables the file holds. */
export function tableNames(db: Database): Set<string> {
  return new Set(
    (db.query("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (t) => t.name,
    ),
  );
}

/** Every row of a table not soft-deleted (GORM's deleted_at), by id; none when the table is absent. */
export function liveRows(db: Database, table: string): Row[] {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  const columns = (db.query(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
  if (columns.length === 0) return [];
  const live = columns.includes("deleted_at") ? "WHERE deleted_at IS NULL" : "";
  return db.query(`SELECT * FROM ${table} ${live} ORDER BY id`).all() as Row[];
}
