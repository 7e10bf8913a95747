import type { Database } from "bun:sqlite";
import type { ApiKeyView, Currency } from "./schema";

/** The stored columns an admin write may set (the hash and prefix only through create and rotate). */
export interface KeyColumns {
  name: string;
  enabled: boolean;
  allow_all: boolean;
  models: string[];
  expires_at: number | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  budget: number | null;
  currency: Currency;
  io_log: boolean;
}

/** What a new key has where its create request is silent. */
export const KEY_DEFAULTS: Readonly<KeyColumns> = {
  name: "",
  enabled: true,
  allow_all: true,
  models: [],
  expires_at: null,
  rpm_limit: null,
  tpm_limit: null,
  budget: null,
  currency: "USD",
  io_log: false,
};

/** A key as the routing snapshot reads it: with its hash, never shown by the admin API. */
export interface RoutingKey {
  id: number;
  name: string;
  key_hash: string;
  enabled: boolean;
  allow_all: boolean;
  models: string[];
  expires_at: number | null;
  io_log: boolean;
  rpm_limit: number | null;
  tpm_limit: number | null;
  budget: number | null;
  spent: number;
  currency: string;
}

export interface KeyRow {
  id: number;
  name: string;
  key_prefix: string;
  enabled: number;
  allow_all: number;
  models: string;
  expires_at: number | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  budget: number | null;
  spent: number;
  currency: Currency;
  io_log: number;
  usage_count: number;
  last_used_at: number | null;
  created_at: number;
  updated_at: number;
}

// Never key_hash: no read path of the admin API can leak it.
const COLUMNS = `id, name, key_prefix, enabled, allow_all, models, expires_at, rpm_limit, tpm_limit, budget,
  spent, currency, io_log, usage_count, last_used_at, created_at, updated_at`;

/** A stored key row as the admin API shows it. */
export const toKeyView = (r: KeyRow): ApiKeyView => ({
  ...r,
  enabled: r.enabled === 1,
  allow_all: r.allow_all === 1,
  models: JSON.parse(r.models) as string[],
  expires_at: r.expires_at === null ? null : new Date(r.expires_at).toISOString(),
  io_log: r.io_log === 1,
});

const params = (c: KeyColumns) => [
  c.name,
  c.enabled ? 1 : 0,
  c.allow_all ? 1 : 0,
  JSON.stringify(c.models),
  c.expires_at,
  c.rpm_limit,
  c.tpm_limit,
  c.budget,
  c.currency,
  c.io_log ? 1 : 0,
];

/** api_keys as the admin API reads and writes it. */
export const keysRepo = {
  all: (db: Database): ApiKeyView[] =>
    (db.query(`SELECT ${COLUMNS} FROM api_keys ORDER BY id`).all() as KeyRow[]).map(toKeyView),

  get(db: Database, id: number): ApiKeyView | null {
    const row = db.query(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`).get(id) as KeyRow | null;
    return row ? toKeyView(row) : null;
  },

  /** The stored columns of a key, for merging a PUT. */
  columns(db: Database, id: number): KeyColumns | null {
    const v = keysRepo.get(db, id);
    if (!v) return null;
    return {
      ...v,
      expires_at: v.expires_at === null ? null : Date.parse(v.expires_at),
    };
  },

  /** Inserts a key; ids are AUTOINCREMENT (migration 2), so a deleted key's id never comes back. */
  insert(db: Database, c: KeyColumns, hash: string, prefix: string, now: number): ApiKeyView {
    const row = db
      .query(
        `INSERT INTO api_keys (name, enabled, allow_all, models, expires_at, rpm_limit, tpm_limit, budget,
           currency, io_log, key_hash, key_prefix, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
      )
      .get(...params(c), hash, prefix, now, now) as KeyRow;
    return toKeyView(row);
  },

  update(db: Database, id: number, c: KeyColumns, now: number): ApiKeyView | null {
    const row = db
      .query(
        `UPDATE api_keys SET name = ?, enabled = ?, allow_all = ?, models = ?, expires_at = ?, rpm_limit = ?,
           tpm_limit = ?, budget = ?, currency = ?, io_log = ?, updated_at = ?
         WHERE id = ? RETURNING ${COLUMNS}`,
      )
      .get(...params(c), now, id) as KeyRow | null;
    return row ? toKeyView(row) : null;
  },

  setSecret(db: Database, id: number, hash: string, prefix: string, now: number): ApiKeyView | null {
    const row = db
      .query(
        `UPDATE api_keys SET key_hash = ?, key_prefix = ?, updated_at = ? WHERE id = ? RETURNING ${COLUMNS}`,
      )
      .get(hash, prefix, now, id) as KeyRow | null;
    return row ? toKeyView(row) : null;
  },

  /** Multiplies a key's spend (its currency changed: the spend is converted with it). */
  scaleSpent(db: Database, id: number, factor: number): void {
    db.query("UPDATE api_keys SET spent = spent * ? WHERE id = ?").run(factor, id);
  },

  remove: (db: Database, id: number): boolean =>
    db.query("DELETE FROM api_keys WHERE id = ?").run(id).changes > 0,

  idByHash: (db: Database, hash: string): number | undefined =>
    (db.query("SELECT id FROM api_keys WHERE key_hash = ?").get(hash) as { id: number } | null)?.id,

  /** Every key as the proxy checks it, hash included (the routing snapshot only). */
  forRouting: (db: Database): RoutingKey[] =>
    (
      db
        .query(
          `SELECT id, name, key_hash, enabled, allow_all, models, expires_at, io_log, rpm_limit, tpm_limit,
             budget, spent, currency FROM api_keys`,
        )
        .all() as (Omit<RoutingKey, "enabled" | "allow_all" | "io_log" | "models"> & {
        enabled: number;
        allow_all: number;
        io_log: number;
        models: string;
      })[]
    ).map((k) => ({
      ...k,
      enabled: k.enabled === 1,
      allow_all: k.allow_all === 1,
      io_log: k.io_log === 1,
      models: JSON.parse(k.models) as string[],
    })),
};
