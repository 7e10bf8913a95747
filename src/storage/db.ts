import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { MIGRATIONS } from "./migrations";

export type { Database };

/** Opens (creating its folder) a SQLite database in WAL mode with foreign keys on, and migrates it. */
export function openDatabase(path: string): Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true, strict: true });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA busy_timeout = 5000");
  migrate(db);
  return db;
}

export type Migration = (typeof MIGRATIONS)[number];

/**
 * Applies every migration newer than the database's user_version, each in its own transaction, so a
 * failing one leaves the database at the previous version. Returns how many were applied.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = schemaVersion(db);
  let applied = 0;
  for (const m of migrations) {
    if (m.id <= current) continue;
    // PRAGMA foreign_keys is a no-op inside a transaction, so it is switched around it.
    if (m.foreignKeysOff) db.exec("PRAGMA foreign_keys = OFF");
    try {
      db.transaction(() => {
        db.exec(m.sql);
        m.run?.(db);
        if (m.foreignKeysOff && db.query("PRAGMA foreign_key_check").all().length > 0) {
          throw new Error(`migration ${m.id} (${m.name}) left broken foreign keys`);
        }
        db.exec(`PRAGMA user_version = ${m.id}`);
      })();
    } finally {
      if (m.foreignKeysOff) db.exec("PRAGMA foreign_keys = ON");
    }
    applied++;
  }
  return applied;
}

/** The schema version a database is at. */
export function schemaVersion(db: Database): number {
  return (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
}
