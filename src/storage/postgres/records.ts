import { convertCost, USD_CNY_RATE_SETTING, usdCnyRateOf } from "../../core/money";
import type { RequestRecord } from "../request-record";
import { recordValues } from "../request-logs";
import { rollupColumns, rollupCutoffs, rollupInputOf, rollupRows } from "../rollups";
import type { RecordsRepo } from "../storage";
import { neutral, num, query, type Sql } from "./db";

const LOG_COLUMNS = [
  "id",
  "trace_id",
  "session_id",
  "model",
  "provider_id",
  "provider_name",
  "provider_model",
  "style",
  "upstream_type",
  "stream",
  "status",
  "http_status",
  "error",
  "attempts",
  "key_id",
  "user_agent",
  "remote_ip",
  "proxy_ms",
  "first_chunk_ms",
  "total_ms",
  "tps",
  "size",
  "input_tokens",
  "cached_tokens",
  "cache_write_tokens",
  "output_tokens",
  "reasoning_tokens",
  "total_tokens",
  "cost",
  "currency",
  "prices",
  "finish_reason",
  "created_at",
  "instance",
];

/** One record's values in LOG_COLUMNS order (as the SQLite writer stores them). */
const logValues = (id: number, r: RequestRecord): unknown[] => [id, ...recordValues(r)];

/** `($1, …, $n), (…)` for `rows` rows of `width` parameters. */
function placeholders(rows: number, width: number): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const marks: string[] = [];
    for (let c = 1; c <= width; c++) marks.push(`$${r * width + c}`);
    out.push(`(${marks.join(", ")})`);
  }
  return out.join(", ");
}

/** PostgreSQL binds at most 65,535 parameters per statement: 33 columns fit 1,985 rows; 1,000 per insert. */
const ROWS_PER_INSERT = 1000;

/**
 * Inserts a batch in the transaction `tx`: ids drawn from the sequence first (so each body finds its
 * record without relying on RETURNING's order), then multi-row inserts of records and bodies, then one
 * update of the keys' usage.
 */
export async function insertRecordsPg(tx: Sql, records: readonly RequestRecord[]): Promise<void> {
  if (records.length === 0) return;
  const ids = (
    await query<{ id: unknown }>(
      tx,
      "SELECT nextval(pg_get_serial_sequence('request_logs', 'id')) AS id FROM generate_series(1, $1)",
      [records.length],
    )
  ).map((r) => num(r.id) as number);
  for (let i = 0; i < records.length; i += ROWS_PER_INSERT) {
    const chunk = records.slice(i, i + ROWS_PER_INSERT);
    const values = chunk.flatMap((r, j) => logValues(ids[i + j] as number, r));
    await query(
      tx,
      `INSERT INTO request_logs (${LOG_COLUMNS.join(", ")}) VALUES ${placeholders(chunk.length, LOG_COLUMNS.length)}`,
      values,
    );
  }
  const bodies = records.flatMap((r, i) => (r.bodies ? [[ids[i], r.bodies.request, r.bodies.response]] : []));
  for (let i = 0; i < bodies.length; i += ROWS_PER_INSERT) {
    const chunk = bodies.slice(i, i + ROWS_PER_INSERT);
    await query(
      tx,
      `INSERT INTO request_bodies (log_id, request, response) VALUES ${placeholders(chunk.length, 3)}`,
      chunk.flat(),
    );
  }
  await addRollupsPg(tx, records);
  // Key usage: one row per key, applied in key order (two batches never lock keys in opposite orders). A
  // key's spend grows in its own currency: each cost is summed converted both ways, the key picks its own.
  const usage = new Map<number, { n: number; usd: number; cny: number; last: number }>();
  let rate: number | null = null;
  for (const r of records) {
    if (r.key_id === null) continue;
    if (rate === null) {
      const stored = (
        await query<{ value: string }>(tx, "SELECT value FROM settings WHERE key = $1", [
          USD_CNY_RATE_SETTING,
        ])
      )[0];
      rate = usdCnyRateOf(stored ? JSON.parse(stored.value) : undefined);
    }
    const u = usage.get(r.key_id) ?? { n: 0, usd: 0, cny: 0, last: 0 };
    u.n++;
    u.usd += convertCost(r.cost, r.currency, "USD", rate);
    u.cny += convertCost(r.cost, r.currency, "CNY", rate);
    u.last = Math.max(u.last, r.created_at);
    usage.set(r.key_id, u);
  }
  if (usage.size) {
    const rows = [...usage].sort(([a], [b]) => a - b);
    await query(
      tx,
      `UPDATE api_keys SET usage_count = api_keys.usage_count + v.n,
         spent = api_keys.spent + CASE api_keys.currency WHEN 'CNY' THEN v.cny::float8 ELSE v.usd::float8 END,
         last_used_at = GREATEST(COALESCE(api_keys.last_used_at, 0), v.last::bigint)
       FROM (VALUES ${placeholders(rows.length, 5)}) AS v(id, n, usd, cny, last)
       WHERE api_keys.id = v.id::integer`,
      rows.flatMap(([id, u]) => [id, u.n, u.usd, u.cny, u.last]),
    );
  }
}

/** What an existing rollup row becomes when a batch adds to it: sums added, histograms merged, the larger name. */
const ADD_TO_ROW = (cols: string[]) =>
  cols
    .map((c) =>
      c === "provider_name"
        ? "provider_name = GREATEST(t.provider_name, EXCLUDED.provider_name)"
        : c.endsWith("_hist")
          ? `${c} = llmio_hist_plus(t.${c}, EXCLUDED.${c})`
          : `${c} = t.${c} + EXCLUDED.${c}`,
    )
    .join(", ");

/**
 * Adds a batch's records to their rollup rows (rollups.ts's rollupRows: the same rows SQLite's writer adds),
 * in the transaction that writes the records. Several instances add to the same rows at once: each row is
 * one upsert that adds to what is stored (never read, then written), and every batch takes the rows'
 * locks in the same order (tables in a fixed order, rows sorted by their dimensions), so two batches
 * wait for each other and never deadlock.
 */
async function addRollupsPg(tx: Sql, records: readonly RequestRecord[]): Promise<void> {
  for (const { table, rows } of rollupRows(records.map(rollupInputOf))) {
    const cols = rollupColumns(table);
    const sums = cols.slice(table.dims.length);
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + ROWS_PER_INSERT);
      await query(
        tx,
        `INSERT INTO ${table.name} AS t (${cols.join(", ")}) VALUES ${placeholders(chunk.length, cols.length)}
         ON CONFLICT (${table.dims.join(", ")}) DO UPDATE SET ${ADD_TO_ROW(sums)}`,
        chunk.flat(),
      );
    }
  }
}

/** request_logs on PostgreSQL: the batched writer's inserts, retention's deletes. */
export function pgRecords(sql: Sql): RecordsRepo {
  return {
    insert: async (records) => {
      try {
        await sql.begin((tx) => insertRecordsPg(tx, records));
      } catch (err) {
        throw neutral(err);
      }
    },
    pruneRollups: async (before) => {
      let n = 0;
      for (const c of rollupCutoffs(before))
        n += (await query(sql, `DELETE FROM ${c.table} WHERE ${c.time} < $1 RETURNING 1`, [c.edge])).length;
      return n;
    },
    prune: async (before, limit) =>
      (
        await query(
          sql,
          `DELETE FROM request_logs WHERE id IN
             (SELECT id FROM request_logs WHERE created_at < $1 ORDER BY created_at LIMIT $2) RETURNING id`,
          [before, limit],
        )
      ).length,
  };
}
