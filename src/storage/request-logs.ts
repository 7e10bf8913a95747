import type { Database } from "bun:sqlite";
import { convertCost } from "../core/money";
import { type RequestRecord, totalTokens } from "./request-record";
import type { LogFilter } from "./log-filter";
import { pageTotal, RECENT_COLUMNS, type TotalProbes } from "./log-page-total";
import { addRollups, countDaily, rollupInputOf, roundMs as round } from "./rollups";
import type { LogBodies, LogEntry } from "./schema";
import { usdCnyRate } from "./settings";

const INSERT_LOG = `INSERT INTO request_logs (
  trace_id, session_id, model, provider_id, provider_name, provider_model, style, upstream_type, stream,
  status, http_status, error, attempts, key_id, user_agent, remote_ip, proxy_ms, first_chunk_ms, total_ms,
  tps, size, input_tokens, cached_tokens, cache_write_tokens, output_tokens, reasoning_tokens, total_tokens,
  cost, currency, prices, finish_reason, created_at, instance
) VALUES (${Array(33).fill("?").join(", ")})`;

/**
 * One record's request_logs values in column order (trace_id … instance; without the id), as both storage
 * backends write them: times rounded to µs, token kinds from the usage, JSON for attempts and prices.
 */
export function recordValues(r: RequestRecord): (string | number | boolean | null)[] {
  const u = r.usage;
  return [
    r.trace_id,
    r.session_id,
    r.model,
    r.provider_id,
    r.provider_name,
    r.provider_model,
    r.style,
    r.upstream_type,
    r.stream,
    r.status,
    r.http_status,
    r.error,
    JSON.stringify(r.attempts),
    r.key_id,
    r.user_agent,
    r.remote_ip,
    round(r.proxy_ms),
    round(r.first_chunk_ms),
    round(r.total_ms),
    r.tps,
    r.size,
    u?.input ?? 0,
    u?.cachedRead ?? 0,
    u?.cacheWrite ?? 0,
    u?.output ?? 0,
    u?.reasoning ?? 0,
    totalTokens(u),
    r.cost,
    r.currency,
    r.prices ? JSON.stringify(r.prices) : null,
    r.finish_reason,
    r.created_at,
    r.instance ?? null,
  ];
}

/**
 * Writes a batch of records (their bodies, key usage and hourly rollups) in one transaction. A key's `spent`
 * grows by the record's cost in the key's own currency (converted at the configured rate when the link's
 * differs).
 */
export function insertRecords(db: Database, records: readonly RequestRecord[]): void {
  const insertLog = db.query(INSERT_LOG);
  const insertBody = db.query("INSERT INTO request_bodies (log_id, request, response) VALUES (?, ?, ?)");
  const touchKey = db.query(
    `UPDATE api_keys SET usage_count = usage_count + 1,
       spent = spent + CASE currency WHEN 'CNY' THEN ?1 ELSE ?2 END,
       last_used_at = MAX(COALESCE(last_used_at, 0), ?3)
     WHERE id = ?4`,
  );
  const rate = usdCnyRate(db);
  db.transaction(() => {
    for (const r of records) {
      const res = insertLog.run(...recordValues(r));
      if (r.bodies) insertBody.run(res.lastInsertRowid, r.bodies.request, r.bodies.response);
      if (r.key_id !== null)
        touchKey.run(
          convertCost(r.cost, r.currency, "CNY", rate),
          convertCost(r.cost, r.currency, "USD", rate),
          r.created_at,
          r.key_id,
        );
    }
    addRollups(db, records.map(rollupInputOf));
  })();
}

type Param = string | number;

/**
 * The WHERE clause of a log filter. Every filter the console offers has an index to start from: model,
 * provider (a current provider's name is resolved to its id), key, trace, session, time range, and the
 * failed statuses (a partial index); `style` and status `success` only narrow what another index found.
 */
function where(db: Database, f: LogFilter): { sql: string; params: Param[] } {
  const clauses: string[] = [];
  const params: Param[] = [];
  const add = (sql: string, ...v: (Param | undefined)[]) => {
    if (v.some((x) => x === undefined || x === "")) return;
    clauses.push(sql);
    params.push(...(v as Param[]));
  };
  add("model = ?", f.model);
  if (f.provider !== undefined && f.provider !== "") {
    if (/^\d+$/.test(f.provider)) add("provider_id = ?", Number(f.provider));
    else {
      const p = db.query("SELECT id FROM providers WHERE name = ?").get(f.provider) as { id: number } | null;
      // A current provider's name stands for its id (the provider index; records it answered under an
      // older name included); a name no provider has now is looked up as recorded.
      if (p) add("provider_id = ?", p.id);
      else add("provider_name = ?", f.provider);
    }
  }
  add("status = ?", f.status);
  // Spelled out so that SQLite may use the partial index request_logs_failed (migration 4).
  if (f.status === "error" || f.status === "cancelled") clauses.push("status <> 'success'");
  add("style = ?", f.style);
  add("upstream_type = ?", f.upstream_type);
  add("key_id = ?", f.key_id);
  if (f.user_agent) add("instr(lower(user_agent), ?) > 0", f.user_agent.toLowerCase());
  add("trace_id = ?", f.trace_id);
  add("session_id = ?", f.session_id);
  add("created_at >= ?", f.from);
  add("created_at <= ?", f.to);
  return { sql: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

type LogRow = Omit<LogEntry, "stream" | "attempts" | "prices"> & {
  attempts: string;
  prices: string | null;
  stream: number;
};

function fromRow(r: LogRow): LogEntry {
  return {
    ...r,
    stream: r.stream === 1,
    attempts: JSON.parse(r.attempts),
    prices: r.prices ? JSON.parse(r.prices) : null,
  };
}

/** The page-total reads on SQLite: indexes, and the daily rollups for model and provider counts. */
function sqliteProbes(db: Database, sql: string, params: Param[]): TotalProbes {
  const one = <T>(q: string, ...args: Param[]) => db.query(q).get(...args) as T | null;
  return {
    // Two subqueries: SQLite answers a lone MIN() or MAX() from the index edge, but scans for both at once.
    idSpan: () =>
      one<{ lo: number | null; hi: number | null }>(
        "SELECT (SELECT MIN(id) FROM request_logs) AS lo, (SELECT MAX(id) FROM request_logs) AS hi",
      ) ?? { lo: null, hi: null },
    capped: (limit) =>
      one<{ n: number }>(
        `SELECT COUNT(*) AS n FROM (SELECT 1 FROM request_logs ${sql} LIMIT ${limit})`,
        ...params,
      )?.n ?? 0,
    edgeId: (side, at) =>
      one<{ id: number }>(
        side === "from"
          ? "SELECT id FROM request_logs WHERE created_at >= ? ORDER BY created_at LIMIT 1"
          : "SELECT id FROM request_logs WHERE created_at <= ? ORDER BY created_at DESC LIMIT 1",
        at,
      )?.id ?? null,
    providerId: (name) =>
      /^\d+$/.test(name)
        ? Number(name)
        : (one<{ id: number }>("SELECT id FROM providers WHERE name = ?", name)?.id ?? null),
    oldest: () => one<{ t: number | null }>("SELECT MIN(created_at) AS t FROM request_logs")?.t ?? null,
    daily: (f) => countDaily(db, f),
    recent: (n) =>
      one<{ n: number }>(
        `SELECT COUNT(*) AS n FROM (SELECT ${RECENT_COLUMNS} FROM request_logs ORDER BY created_at DESC LIMIT ${n}) ${sql}`,
        ...params,
      )?.n ?? 0,
  };
}

/**
 * One page of request logs, newest first, with its total (see pageTotal). The page and its total are read in
 * one transaction: the record writer commits on its own connection meanwhile, and a total counted after a
 * batch landed would not be the total of the rows read before it.
 */
export async function queryLogs(db: Database, f: LogFilter) {
  const { sql, params } = where(db, f);
  db.run("BEGIN");
  let rows: LogRow[];
  let counted: Awaited<ReturnType<typeof pageTotal>>;
  try {
    rows = db
      .query(`SELECT * FROM request_logs ${sql} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`)
      .all(...params, f.page_size, (f.page - 1) * f.page_size) as LogRow[];
    const seen = (f.page - 1) * f.page_size + rows.length;
    counted = await pageTotal(f, seen, sqliteProbes(db, sql, params));
  } finally {
    db.run("COMMIT");
  }
  return {
    data: rows.map(fromRow),
    ...counted,
    page: f.page,
    page_size: f.page_size,
    pages: Math.max(1, Math.ceil(counted.total / f.page_size)),
  };
}

/** One log with its request/response bodies (when IO logging kept them). */
export function getLog(db: Database, id: number): (LogEntry & { bodies: LogBodies | null }) | null {
  const row = db.query("SELECT * FROM request_logs WHERE id = ?").get(id) as LogRow | null;
  if (!row) return null;
  const bodies = db
    .query("SELECT request, response FROM request_bodies WHERE log_id = ?")
    .get(id) as LogBodies | null;
  return { ...fromRow(row), bodies };
}

/** Deletes up to `limit` of the oldest logs created before `before` (their bodies go with them). */
export function pruneLogs(db: Database, before: number, limit: number): number {
  return db
    .query(
      "DELETE FROM request_logs WHERE id IN (SELECT id FROM request_logs WHERE created_at < ? ORDER BY created_at LIMIT ?)",
    )
    .run(before, limit).changes;
}
