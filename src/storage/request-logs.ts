import type { Database } from "bun:sqlite";
import { type RequestRecord, totalTokens } from "../telemetry/record";
import type { LogBodies, LogEntry } from "./schema";

const INSERT_LOG = `INSERT INTO request_logs (
  trace_id, session_id, model, provider_id, provider_name, provider_model, style, upstream_type, stream,
  status, http_status, error, attempts, key_id, user_agent, remote_ip, proxy_ms, first_chunk_ms, total_ms,
  tps, size, input_tokens, cached_tokens, cache_write_tokens, output_tokens, reasoning_tokens, total_tokens,
  cost, currency, prices, finish_reason, created_at, instance
) VALUES (${Array(33).fill("?").join(", ")})`;

const round = (n: number | null) => (n === null ? null : Math.round(n * 1000) / 1000);

/** Writes a batch of records (and their bodies, and key usage) in one transaction. */
export function insertRecords(db: Database, records: readonly RequestRecord[]): void {
  const insertLog = db.query(INSERT_LOG);
  const insertBody = db.query("INSERT INTO request_bodies (log_id, request, response) VALUES (?, ?, ?)");
  const touchKey = db.query(
    "UPDATE api_keys SET usage_count = usage_count + 1, spent = spent + ?, last_used_at = MAX(COALESCE(last_used_at, 0), ?) WHERE id = ?",
  );
  db.transaction(() => {
    for (const r of records) {
      const u = r.usage;
      const res = insertLog.run(
        r.trace_id,
        r.session_id,
        r.model,
        r.provider_id,
        r.provider_name,
        r.provider_model,
        r.style,
        r.upstream_type,
        r.stream ? 1 : 0,
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
      );
      if (r.bodies) insertBody.run(res.lastInsertRowid, r.bodies.request, r.bodies.response);
      if (r.key_id !== null) touchKey.run(r.cost, r.created_at, r.key_id);
    }
  })();
}

export interface LogFilter {
  page: number;
  page_size: number;
  model?: string;
  provider?: string;
  status?: string;
  style?: string;
  key_id?: number;
  trace_id?: string;
  session_id?: string;
  /** Inclusive bounds in epoch ms. */
  from?: number;
  to?: number;
}

type Param = string | number;

function where(f: LogFilter): { sql: string; params: Param[] } {
  const clauses: string[] = [];
  const params: Param[] = [];
  const add = (sql: string, v: Param | undefined) => {
    if (v === undefined || v === "") return;
    clauses.push(sql);
    params.push(v);
  };
  add("model = ?", f.model);
  if (f.provider !== undefined && f.provider !== "") {
    if (/^\d+$/.test(f.provider)) add("provider_id = ?", Number(f.provider));
    else add("provider_name = ?", f.provider);
  }
  add("status = ?", f.status);
  add("style = ?", f.style);
  add("key_id = ?", f.key_id);
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

/** One page of request logs, newest first. */
export function queryLogs(db: Database, f: LogFilter) {
  const { sql, params } = where(f);
  const total = (db.query(`SELECT COUNT(*) AS n FROM request_logs ${sql}`).get(...params) as { n: number }).n;
  const rows = db
    .query(`SELECT * FROM request_logs ${sql} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`)
    .all(...params, f.page_size, (f.page - 1) * f.page_size) as LogRow[];
  return {
    data: rows.map(fromRow),
    total,
    page: f.page,
    page_size: f.page_size,
    pages: Math.max(1, Math.ceil(total / f.page_size)),
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
