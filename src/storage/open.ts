import { openDatabase } from "./db";
import { sqliteStorage } from "./sqlite";
import type { Storage } from "./storage";

/** Where the configuration and the records live: a PostgreSQL URL, else the SQLite file. */
export interface StorageTarget {
  dbPath: string;
  databaseUrl?: string;
}

/**
 * Opens (and migrates) the storage the target names; throws with a one-line reason when it cannot. The
 * PostgreSQL implementation loads only when it is asked for.
 */
export async function openStorage(target: StorageTarget): Promise<Storage> {
  if (target.databaseUrl) return (await import("./postgres")).openPostgres(target.databaseUrl);
  return sqliteStorage(openDatabase(target.dbPath));
}
