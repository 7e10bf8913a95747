import { type KeyColumns, type RoutingKey, toKeyView, type KeyRow } from "../keys";
import { modelProviders, models, providers } from "../repos";
import type { ConfigRepos, EntityRepo } from "../storage";
import type { Table } from "../table";
import { num, query, type Sql } from "./db";

type Row = Record<string, unknown>;

/** The bigint columns of the configuration tables (they arrive as strings). */
const BIGINTS = ["created_at", "updated_at", "expires_at", "last_used_at", "usage_count"];

function numbers(row: Row): Row {
  for (const c of BIGINTS) if (c in row) row[c] = num(row[c]);
  return row;
}

function entity<E extends { id: number }>(sql: Sql, table: Table<E>): EntityRepo<E> {
  const read = (rows: Row[]) => rows.map((r) => table.fromRow(numbers(r)));
  return {
    all: async () => read(await query(sql, `SELECT * FROM ${table.name} ORDER BY ${table.order}`)),
    get: async (id) => read(await query(sql, `SELECT * FROM ${table.name} WHERE id = $1`, [id]))[0] ?? null,
    async insert(values, now) {
      const entries = Object.entries(values).filter(([, v]) => v !== undefined);
      const cols = [...entries.map(([k]) => k), "created_at", "updated_at"];
      const args = [...entries.map(([k, v]) => table.toValue(k, v, true)), now, now];
      const marks = cols.map((_, i) => `$${i + 1}`).join(", ");
      const rows = await query(
        sql,
        `INSERT INTO ${table.name} (${cols.join(", ")}) VALUES (${marks}) RETURNING *`,
        args,
      );
      return read(rows)[0] as E;
    },
    async update(id, patch, now) {
      const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
      if (entries.length === 0) return this.get(id);
      const sets = [...entries.map(([k], i) => `${k} = $${i + 1}`), `updated_at = $${entries.length + 1}`];
      const args = [...entries.map(([k, v]) => table.toValue(k, v, true)), now, id];
      const rows = await query(
        sql,
        `UPDATE ${table.name} SET ${sets.join(", ")} WHERE id = $${args.length} RETURNING *`,
        args,
      );
      return read(rows)[0] ?? null;
    },
    remove: async (id) =>
      (await query(sql, `DELETE FROM ${table.name} WHERE id = $1 RETURNING id`, [id])).length > 0,
  };
}

const firstId = (rows: { id: number }[]) => rows[0]?.id;

// Never key_hash: no read path of the admin API can leak it.
const KEY_COLUMNS = `id, name, key_prefix, enabled, allow_all, models, expires_at, rpm_limit, tpm_limit, budget,
  spent, currency, io_log, usage_count, last_used_at, created_at, updated_at`;

const keyParams = (c: KeyColumns) => [
  c.name,
  c.enabled,
  c.allow_all,
  JSON.stringify(c.models),
  c.expires_at,
  c.rpm_limit,
  c.tpm_limit,
  c.budget,
  c.currency,
  c.io_log,
];

/** PostgreSQL booleans arrive as booleans; the shared view converter expects SQLite's 0/1. */
const keyView = (r: Row) =>
  toKeyView({
    ...(numbers(r) as unknown as KeyRow),
    enabled: r.enabled ? 1 : 0,
    allow_all: r.allow_all ? 1 : 0,
    io_log: r.io_log ? 1 : 0,
  });

/** The configuration repositories over a pool or a transaction. */
export function pgRepos(sql: Sql): ConfigRepos {
  const keys: ConfigRepos["keys"] = {
    all: async () => (await query(sql, `SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY id`)).map(keyView),
    async get(id) {
      const row = (await query(sql, `SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`, [id]))[0];
      return row ? keyView(row) : null;
    },
    async columns(id) {
      const v = await keys.get(id);
      return v ? { ...v, expires_at: v.expires_at === null ? null : Date.parse(v.expires_at) } : null;
    },
    async insert(c, hash, prefix, now) {
      const rows = await query(
        sql,
        `INSERT INTO api_keys (name, enabled, allow_all, models, expires_at, rpm_limit, tpm_limit, budget,
           currency, io_log, key_hash, key_prefix, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING ${KEY_COLUMNS}`,
        [...keyParams(c), hash, prefix, now, now],
      );
      return keyView(rows[0] as Row);
    },
    async update(id, c, now) {
      const rows = await query(
        sql,
        `UPDATE api_keys SET name = $1, enabled = $2, allow_all = $3, models = $4, expires_at = $5,
           rpm_limit = $6, tpm_limit = $7, budget = $8, currency = $9, io_log = $10, updated_at = $11
         WHERE id = $12 RETURNING ${KEY_COLUMNS}`,
        [...keyParams(c), now, id],
      );
      return rows[0] ? keyView(rows[0]) : null;
    },
    async setSecret(id, hash, prefix, now) {
      const rows = await query(
        sql,
        `UPDATE api_keys SET key_hash = $1, key_prefix = $2, updated_at = $3 WHERE id = $4 RETURNING ${KEY_COLUMNS}`,
        [hash, prefix, now, id],
      );
      return rows[0] ? keyView(rows[0]) : null;
    },
    remove: async (id) =>
      (await query(sql, "DELETE FROM api_keys WHERE id = $1 RETURNING id", [id])).length > 0,
    async scaleSpent(id, factor) {
      await query(sql, "UPDATE api_keys SET spent = spent * $1 WHERE id = $2", [factor, id]);
    },
    idByHash: async (hash) =>
      firstId(await query<{ id: number }>(sql, "SELECT id FROM api_keys WHERE key_hash = $1", [hash])),
    forRouting: async () =>
      (
        await query(
          sql,
          `SELECT id, name, key_hash, enabled, allow_all, models, expires_at, io_log, rpm_limit, tpm_limit,
             budget, spent, currency FROM api_keys`,
        )
      ).map(
        (k) =>
          ({
            ...numbers(k),
            models: JSON.parse(k.models as string) as string[],
          }) as unknown as RoutingKey,
      ),
  };

  return {
    providers: {
      ...entity(sql, providers),
      idByName: async (name) =>
        firstId(await query<{ id: number }>(sql, "SELECT id FROM providers WHERE name = $1", [name])),
      secrets: () =>
        query<{ name: string; api_key: string; base_url: string }>(
          sql,
          "SELECT name, api_key, base_url FROM providers",
        ),
    },
    models: {
      ...entity(sql, models),
      idByName: async (name) =>
        firstId(await query<{ id: number }>(sql, "SELECT id FROM models WHERE name = $1", [name])),
    },
    links: {
      ...entity(sql, modelProviders),
      ofModel: async (modelId) =>
        (
          await query(
            sql,
            `SELECT * FROM model_providers WHERE model_id = $1 ORDER BY ${modelProviders.order}`,
            [modelId],
          )
        ).map((r) => modelProviders.fromRow(numbers(r))),
      idOf: async (modelId, providerId, providerModel) =>
        firstId(
          await query<{ id: number }>(
            sql,
            "SELECT id FROM model_providers WHERE model_id = $1 AND provider_id = $2 AND provider_model = $3",
            [modelId, providerId, providerModel],
          ),
        ),
    },
    keys,
    settings: {
      async get<T>(key: string) {
        const row = (
          await query<{ value: string }>(sql, "SELECT value FROM settings WHERE key = $1", [key])
        )[0];
        return row ? (JSON.parse(row.value) as T) : undefined;
      },
      async set(key, value) {
        await query(
          sql,
          "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          [key, JSON.stringify(value)],
        );
      },
      async add(key, value) {
        const rows = await query(
          sql,
          "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key",
          [key, JSON.stringify(value)],
        );
        return rows.length > 0;
      },
    },
    async clearRouting() {
      await query(sql, "DELETE FROM model_providers");
      await query(sql, "DELETE FROM models");
      await query(sql, "DELETE FROM providers");
    },
  };
}
