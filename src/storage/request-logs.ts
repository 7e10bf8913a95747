import type { Database, Statement } from "bun:sqlite";
import { convertCost } from "../core/money";
import { type RequestRecord, totalTokens } from "./request-record";
import type { LogFilter } from "./log-filter";
import { pageTotal, RECENT_COLUMNS, type TotalProbes } from "./log-page-total";
import { addRollups, countDaily, rollupInputOf, roundMs as round } from "./rollups";
import type { LogBodies, LogEntry } from "./schema";
import { usdCnyRate } from "./settings";

const LOG_COLUMNS = `trace_id, session_id, model, provider_id, provider_name, provider_model, style,
  upstream_type, stream, status, http_status, error, attempts, key_id, user_agent, remote_ip, proxy_ms,
  first_chunk_ms, total_ms, tps, size, input_tokens, cached_tokens, cache_write_tokens, output_tokens,
  reasoning_tokens, total_tokens, cost, currency, prices, finish_reason, created_at, instance`;
const LOG_COLUMN_COUNT = 33;
const LOG_ROW = `(${Array(LOG_COLUMN_COUNT).fill("?").join(", ")})`;

/**
 * The most rows one INSERT writes: a statement per 32 records instead of one per record saves most of the
 * per-execution cost (bindings are per value either way). Smaller runs take the powers of two below it.
 * The INSERTs are OR FAIL: a multi-row INSERT that may ABORT makes SQLite keep a statement journal (a temp
 * file: every page it touches, written once more), and a failing row fails the whole batch anyway (the
 * transaction rolls back), so FAIL, which keeps the statement's earlier rows, stores the same.
 */
const MAX_ROWS_LOG2 = 5;

type Value = string | number | boolean | null;

/** The writer's statements on one connection, prepared once. */
interface WriterStatements {
  /** INSERTs of 1, 2, 4, … 32 request_logs rows. */
  logs: Statement[];
  /** Their values, refilled for every execution. */
  values: Value[][];
  body: Statement;
  readKey: Statement<KeyUsage, [number]>;
  writeKey: Statement;
}

interface KeyUsage {
  usage_count: number;
  spent: number;
  currency: string;
  last_used_at: number | null;
}

const statements = new WeakMap<Database, WriterStatements>();

function writerStatements(db: Database): WriterStatements {
  let s = statements.get(db);
  if (!s) {
    s = {
      logs: Array.from({ length: MAX_ROWS_LOG2 + 1 }, (_, k) =>
        db.prepare(
          `INSERT OR FAIL INTO request_logs (${LOG_COLUMNS}) VALUES ${Array(2 ** k)
            .fill(LOG_ROW)
            .join(", ")}`,
        ),
      ),
      values: Array.from({ length: MAX_ROWS_LOG2 + 1 }, (_, k) =>
        new Array(2 ** k * LOG_COLUMN_COUNT).fill(null),
      ),
      body: db.prepare("INSERT INTO request_bodies (log_id, request, response) VALUES (?, ?, ?)"),
      readKey: db.prepare("SELECT usage_count, spent, currency, last_used_at FROM api_keys WHERE id = ?"),
      writeKey: db.prepare("UPDATE api_keys SET usage_count = ?, spent = ?, last_used_at = ? WHERE id = ?"),
    };
    statements.set(db, s);
  }
  return s;
}

/**
 * One record's request_logs values in column order (trace_id … instance; without the id), as both storage
 * backends write them: times rounded to µs, token kinds from the usage, JSON for attempts and prices.
 */
export function recordValues(r: RequestRecord): Value[] {
  const values = new Array<Value>(LOG_COLUMN_COUNT);
  putRecordValues(values, 0, r);
  return values;
}

/** Puts recordValues(r) into `into` from `at` (the writer refills one array per statement). */
function putRecordValues(into: Value[], at: number, r: RequestRecord): void {
  const u = r.usage;
  into[at] = r.trace_id;
  into[at + 1] = r.session_id;
  into[at + 2] = r.model;
  into[at + 3] = r.provider_id;
  into[at + 4] = r.provider_name;
  into[at + 5] = r.provider_model;
  into[at + 6] = r.style;
  into[at + 7] = r.upstream_type;
  into[at + 8] = r.stream;
  into[at + 9] = r.status;
  into[at + 10] = r.http_status;
  into[at + 11] = r.error;
  into[at + 12] = JSON.stringify(r.attempts);
  into[at + 13] = r.key_id;
  into[at + 14] = r.user_agent;
  into[at + 15] = r.remote_ip;
  into[at + 16] = round(r.proxy_ms);
  into[at + 17] = round(r.first_chunk_ms);
  into[at + 18] = round(r.total_ms);
  into[at + 19] = r.tps;
  into[at + 20] = r.size;
  into[at + 21] = u?.input ?? 0;
  into[at + 22] = u?.cachedRead ?? 0;
  into[at + 23] = u?.cacheWrite ?? 0;
  into[at + 24] = u?.output ?? 0;
  into[at + 25] = u?.reasoning ?? 0;
  into[at + 26] = totalTokens(u);
  into[at + 27] = r.cost;
  into[at + 28] = r.currency;
  into[at + 29] = r.prices ? JSON.stringify(r.prices) : null;
  into[at + 30] = r.finish_reason;
  into[at + 31] = r.created_at;
  into[at + 32] = r.instance ?? null;
}

/** Inserts records[from, to) (none with bodies) in as few statements as the sizes allow, in order. */
function insertLogs(s: WriterStatements, records: readonly RequestRecord[], from: number, to: number) {
  let i = from;
  for (let k = MAX_ROWS_LOG2; k >= 0; k--) {
    const rows = 2 ** k;
    const values = s.values[k] as Value[];
    for (; to - i >= rows; i += rows) {
      for (let j = 0; j < rows; j++)
        putRecordValues(values, j * LOG_COLUMN_COUNT, records[i + j] as RequestRecord);
      (s.logs[k] as Statement).run(...values);
    }
  }
}

/**
 * Writes a batch of records (their bodies, key usage and hourly rollups) in one transaction. A key's `spent`
 * grows by the record's cost in the key's own currency (converted at the configured rate when the link's
 * differs), one record after the other as an UPDATE per record would add them, and is written once.
 */
export function insertRecords(db: Database, records: readonly RequestRecord[]): void {
  const s = writerStatements(db);
  const rate = usdCnyRate(db);
  db.transaction(() => {
    // Records are stored in batch order. One with bodies is inserted alone, so that its id is the
    // connection's last insert rowid; the runs between such records go in multi-row INSERTs.
    let run = 0;
    for (let i = 0; i < records.length; i++) {
      const bodies = (records[i] as RequestRecord).bodies;
      if (!bodies) continue;
      insertLogs(s, records, run, i);
      const one = s.values[0] as Value[];
      putRecordValues(one, 0, records[i] as RequestRecord);
      const id = (s.logs[0] as Statement).run(...one).lastInsertRowid;
      s.body.run(id, bodies.request, bodies.response);
      run = i + 1;
    }
    insertLogs(s, records, run, records.length);
    const keys = new Map<number, KeyUsage | null>();
    for (const r of records) {
      if (r.key_id === null) continue;
      let k = keys.get(r.key_id);
      if (k === undefined) {
        k = s.readKey.get(r.key_id);
        keys.set(r.key_id, k);
      }
      if (!k) continue; // a deleted key
      k.usage_count++;
      k.spent += convertCost(r.cost, r.currency, k.currency === "CNY" ? "CNY" : "USD", rate);
      k.last_used_at = Math.max(k.last_used_at ?? 0, r.created_at);
    }
    for (const [id, k] of keys) if (k) s.writeKey.run(k.usage_count, k.spent, k.last_used_at, id);
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
 * batch landed would not be the total of the rows read before it. On a connection already inside a
 * transaction (the main thread's, while an admin write awaits) the reads are in that one already.
 */
export async function queryLogs(db: Database, f: LogFilter) {
  const { sql, params } = where(db, f);
  const own = !db.inTransaction;
  if (own) db.run("BEGIN");
  let rows: LogRow[];
  let counted: Awaited<ReturnType<typeof pageTotal>>;
  try {
    rows = db
      .query(`SELECT * FROM request_logs ${sql} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`)
      .all(...params, f.page_size, (f.page - 1) * f.page_size) as LogRow[];
    const seen = (f.page - 1) * f.page_size + rows.length;
    counted = await pageTotal(f, seen, sqliteProbes(db, sql, params));
  } finally {
    if (own) db.run("COMMIT");
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
