import type { Database } from "bun:sqlite";
import { ConstraintError } from "./errors";
import { keysRepo } from "./keys";
import { modelProviders, models, providers } from "./repos";
import { insertRecords, pruneLogs } from "./request-logs";
import { pruneRollups } from "./rollups";
import { getSetting, setSetting } from "./settings";
import type { ConfigRepos, EntityRepo, Storage } from "./storage";
import type { Table } from "./table";

/** SQLite's constraint messages as the backend-neutral error the admin services map. */
function neutral(err: unknown): unknown {
  const message = err instanceof Error ? err.message : "";
  if (message.includes("UNIQUE constraint failed")) return new ConstraintError("unique", message);
  if (message.includes("FOREIGN KEY constraint failed")) return new ConstraintError("foreign_key", message);
  return err;
}

type Run = <T>(fn: () => T) => Promise<T>;

function entity<E extends { id: number }>(db: Database, table: Table<E>, run: Run): EntityRepo<E> {
  return {
    all: () => run(() => table.all(db)),
    get: (id) => run(() => table.get(db, id)),
    insert: (values, now) => run(() => table.insert(db, values, now)),
    update: (id, patch, now) => run(() => table.update(db, id, patch, now)),
    remove: (id) => run(() => table.remove(db, id)),
  };
}

const idOf = (db: Database, sql: string, ...args: (string | number)[]) =>
  (db.query(sql).get(...args) as { id: number } | null)?.id;

function repos(db: Database, run: Run): ConfigRepos {
  return {
    providers: {
      ...entity(db, providers, run),
      idByName: (name) => run(() => idOf(db, "SELECT id FROM providers WHERE name = ?", name)),
      secrets: () =>
        run(
          () =>
            db.query("SELECT name, api_key, base_url FROM providers").all() as {
              name: string;
              api_key: string;
              base_url: string;
            }[],
        ),
    },
    models: {
      ...entity(db, models, run),
      idByName: (name) => run(() => idOf(db, "SELECT id FROM models WHERE name = ?", name)),
    },
    links: {
      ...entity(db, modelProviders, run),
      ofModel: (modelId) =>
        run(() => modelProviders.all(db, "WHERE model_id = $model_id", { model_id: modelId })),
      idOf: (modelId, providerId, providerModel) =>
        run(() =>
          idOf(
            db,
            "SELECT id FROM model_providers WHERE model_id = ? AND provider_id = ? AND provider_model = ?",
            modelId,
            providerId,
            providerModel,
          ),
        ),
    },
    keys: {
      all: () => run(() => keysRepo.all(db)),
      get: (id) => run(() => keysRepo.get(db, id)),
      columns: (id) => run(() => keysRepo.columns(db, id)),
      insert: (c, hash, prefix, now) => run(() => keysRepo.insert(db, c, hash, prefix, now)),
      update: (id, c, now) => run(() => keysRepo.update(db, id, c, now)),
      setSecret: (id, hash, prefix, now) => run(() => keysRepo.setSecret(db, id, hash, prefix, now)),
      remove: (id) => run(() => keysRepo.remove(db, id)),
      scaleSpent: (id, factor) => run(() => keysRepo.scaleSpent(db, id, factor)),
      idByHash: (hash) => run(() => keysRepo.idByHash(db, hash)),
      forRouting: () => run(() => keysRepo.forRouting(db)),
    },
    settings: {
      get: <T>(key: string) => run(() => getSetting<T>(db, key)),
      set: (key, value) => run(() => setSetting(db, key, value)),
      add: (key, value) =>
        run(
          () =>
            db
              .query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING")
              .run(key, JSON.stringify(value)).changes > 0,
        ),
    },
    clearRouting: () =>
      run(() => {
        db.exec("DELETE FROM model_providers; DELETE FROM models; DELETE FROM providers;");
      }),
  };
}

export interface SqliteStorage extends Storage {
  readonly kind: "sqlite";
  /** The connection itself: the record writer thread and the analytics reader open the same file. */
  readonly db: Database;
}

/** Whether a storage is the SQLite one (whose file a writer thread can open too). */
export const isSqlite = (s: Storage): s is SqliteStorage => s.kind === "sqlite";

/**
 * The storage interface over one bun:sqlite connection. Statements run synchronously; a transaction
 * holds the connection across its awaits, so every call made outside it waits until it ends (otherwise
 * that call's statements would join, and roll back with, the transaction).
 */
export function sqliteStorage(db: Database): SqliteStorage {
  let held: Promise<void> | null = null;
  const guarded: Run = async (fn) => {
    while (held) await held;
    try {
      return fn();
    } catch (err) {
      throw neutral(err);
    }
  };
  const inside: Run = async (fn) => {
    try {
      return fn();
    } catch (err) {
      throw neutral(err);
    }
  };
  const outer = repos(db, guarded);
  const tx = repos(db, inside);
  return {
    ...outer,
    kind: "sqlite",
    location: db.filename || ":memory:",
    db,
    async transaction(fn) {
      while (held) await held;
      let release = () => {};
      held = new Promise<void>((r) => {
        release = r;
      });
      db.exec("BEGIN IMMEDIATE");
      try {
        const out = await fn(tx);
        db.exec("COMMIT");
        return out;
      } catch (err) {
        db.exec("ROLLBACK");
        throw err;
      } finally {
        held = null;
        release();
      }
    },
    records: {
      insert: (records) => guarded(() => insertRecords(db, records)),
      prune: (before, limit) => guarded(() => pruneLogs(db, before, limit)),
      pruneRollups: (before) => guarded(() => pruneRollups(db, before)),
    },
    close: async () => db.close(),
  };
}
