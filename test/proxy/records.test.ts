import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { silentLogger } from "../../src/core/logger";
import { DEFAULT_USD_CNY_RATE } from "../../src/core/money";
import { openDatabase } from "../../src/storage/db";
import { sqliteStorage } from "../../src/storage/sqlite";
import { Recorder } from "../../src/telemetry/recorder";
import { inlineStore } from "../../src/telemetry/store";
import { record } from "../helpers/records";
import { until } from "../helpers/until";
import { FAKE_USAGE } from "../helpers/fake-upstream";
import { startFourLinked } from "../helpers/fixture";
import {
  AUTH,
  addKey,
  type ClientStyle,
  FOUR,
  type Gateway,
  linkFour,
  minimalRequest,
  post,
  readSse,
  startGateway,
} from "../helpers/gateway";

const PRICES = {
  input_price: 1.5,
  cached_price: 0.5,
  cache_write_price: 2,
  output_price: 6,
  currency: "CNY" as const,
};

const { up, gw } = startFourLinked({
  behaviors: { "fail-500": { kind: "status", status: 500 } },
  link: PRICES,
});

type Row = Record<string, any>;
const STYLES: ClientStyle[] = ["openai", "openai-responses", "anthropic", "gemini"];

/** What each protocol's version of FAKE_USAGE normalises to (only Anthropic reports cache writes). */
function expectedTokens(style: ClientStyle) {
  const u = FAKE_USAGE;
  const cacheWrite = style === "anthropic" ? u.cacheWrite : 0;
  return {
    input_tokens: u.input,
    cached_tokens: u.cached,
    cache_write_tokens: cacheWrite,
    output_tokens: u.output,
    // Anthropic does not report thinking tokens separately.
    reasoning_tokens: style === "anthropic" ? 0 : u.reasoning,
    total_tokens: u.input + u.cached + cacheWrite + u.output,
  };
}

const FINISH: Record<ClientStyle, string> = {
  openai: "stop",
  "openai-responses": "completed",
  anthropic: "end_turn",
  gemini: "STOP",
};

async function recordOf(traceId: string | null): Promise<Row> {
  await gw.flush();
  const row = gw.db.query("SELECT * FROM request_logs WHERE trace_id = ?").get(traceId) as Row | null;
  if (!row) throw new Error(`no record for ${traceId}`);
  return row;
}

/** Sends a request of a protocol and reads the whole answer; returns the response and its record. */
async function call(style: ClientStyle, stream: boolean, headers: Record<string, string>, extra = {}) {
  const { path, body } = minimalRequest(style, FOUR[style].model, stream, extra);
  const res = await post(gw, path, body, headers);
  expect(res.status).toBe(200);
  if (stream) await readSse(res);
  else await res.text();
  return { res, row: await recordOf(res.headers.get("x-request-id")) };
}

const SESSION = "0a1b2c3d-1111-4222-8333-444455556666";
const CASES = STYLES.flatMap((s) => [[s, false] as const, [s, true] as const]);

describe("request records", () => {
  it.each(CASES)(
    "%s (stream=%p): tokens, cost, timings, identity and routing fields",
    async (style, stream) => {
      const { id: keyId, key } = addKey(gw);
      const headers: Record<string, string> = {
        "content-type": "application/json",
        authorization: `Bearer ${key}`,
        "user-agent": "records-test/1.0",
      };
      // Anthropic clients (Claude Code) carry the session in metadata.user_id; the others in a header.
      let extra = {};
      if (style === "anthropic") extra = { metadata: { user_id: `user_abc_account_x_session_${SESSION}` } };
      else headers.session_id = SESSION;
      const { res, row } = await call(style, stream, headers, extra);

      expect(row.trace_id).toBe(res.headers.get("x-request-id"));
      expect(row).toMatchObject({
        status: "success",
        http_status: 200,
        error: null,
        model: FOUR[style].model,
        provider_name: FOUR[style].provider,
        provider_model: FOUR[style].providerModel,
        style,
        upstream_type: style,
        stream: stream ? 1 : 0,
        session_id: SESSION,
        user_agent: "records-test/1.0",
        remote_ip: "127.0.0.1",
        key_id: keyId,
        finish_reason: FINISH[style],
        attempts: "[]",
        ...expectedTokens(style),
      });

      const t = expectedTokens(style);
      const cost =
        (t.input_tokens * PRICES.input_price +
          t.cached_tokens * PRICES.cached_price +
          t.cache_write_tokens * PRICES.cache_write_price +
          t.output_tokens * PRICES.output_price) /
        1_000_000;
      expect(row.cost).toBeCloseTo(cost, 12);
      expect(row.cost).toBeGreaterThan(0);
      expect(row.currency).toBe("CNY");
      expect(JSON.parse(row.prices)).toEqual({
        input: 1.5,
        cached: 0.5,
        cacheWrite: 2,
        output: 6,
        currency: "CNY",
      });

      expect(row.size).toBeGreaterThan(0);
      expect(row.proxy_ms).toBeGreaterThanOrEqual(0);
      expect(row.total_ms).toBeGreaterThanOrEqual(row.proxy_ms);
      if (stream) {
        expect(row.first_chunk_ms).toBeGreaterThanOrEqual(row.proxy_ms);
        expect(row.total_ms).toBeGreaterThanOrEqual(row.first_chunk_ms);
      } else {
        expect(row.first_chunk_ms).toBeNull();
      }
      expect(row.created_at).toBeGreaterThan(Date.now() - 60_000);

      const k = gw.db
        .query("SELECT usage_count, spent, last_used_at FROM api_keys WHERE id = ?")
        .get(keyId) as Row;
      expect(k.usage_count).toBe(1);
      // The link is priced in CNY, the key is in USD: its spend is the cost converted at the rate.
      expect(k.spent).toBeCloseTo(cost / DEFAULT_USD_CNY_RATE, 12);
      expect(k.last_used_at).toBe(row.created_at);
    },
  );

  it("takes the client address from the connection, and the session from x-session-id as well", async () => {
    const { row } = await call("openai", false, { ...AUTH, "x-session-id": "sess-42" });
    expect(row.remote_ip).toBe("127.0.0.1");
    expect(row.session_id).toBe("sess-42");
    expect(row.key_id).toBeNull();
  });

  it("adds up a key's usage over several requests", async () => {
    const { id, key } = addKey(gw);
    const headers = { "content-type": "application/json", "x-api-key": key };
    await call("anthropic", false, headers);
    await call("anthropic", true, headers);
    await call("gemini", false, headers);
    const k = gw.db.query("SELECT usage_count, spent FROM api_keys WHERE id = ?").get(id) as Row;
    expect(k.usage_count).toBe(3);
    const sum = gw.db.query("SELECT SUM(cost) AS c FROM request_logs WHERE key_id = ?").get(id) as Row;
    expect(k.spent).toBeCloseTo(sum.c / DEFAULT_USD_CNY_RATE, 12);
  });

  it("records an error with its status and no usage", async () => {
    const res = await post(gw, "/v1/chat/completions", minimalRequest("openai", "no-such-model", false).body);
    expect(res.status).toBe(404);
    const row = await recordOf(res.headers.get("x-request-id"));
    expect(row).toMatchObject({
      status: "error",
      http_status: 404,
      model: "no-such-model",
      total_tokens: 0,
      cost: 0,
    });
    expect(row.error).toContain("no-such-model");
  });

  it.each(CASES)(
    "an io_log key keeps the %s request and response bodies (stream=%p)",
    async (style, stream) => {
      const { key } = addKey(gw, { ioLog: true });
      const { path, body } = minimalRequest(style, FOUR[style].model, stream);
      const sent = JSON.stringify(body);
      const res = await post(gw, path, sent, {
        "content-type": "application/json",
        authorization: `Bearer ${key}`,
      });
      const answer = await res.text();
      const row = await recordOf(res.headers.get("x-request-id"));
      const bodies = gw.db
        .query("SELECT request, response FROM request_bodies WHERE log_id = ?")
        .get(row.id) as Row;
      expect(bodies.request).toBe(sent);
      expect(bodies.response).toBe(answer);
      expect(bodies.response).toContain(stream ? "data: " : "fake upstream");
    },
  );

  it("keeps no bodies for a key without io_log", async () => {
    const { row } = await call("openai", false, AUTH);
    const n = gw.db.query("SELECT COUNT(*) AS n FROM request_bodies WHERE log_id = ?").get(row.id) as Row;
    expect(n.n).toBe(0);
  });
});

describe("GET /api/logs", () => {
  let lg: Gateway;
  const traces: Record<string, string> = {};
  let between: { from: number; to: number };

  const api = async (path: string) => {
    const res = await fetch(`${lg.url}/api${path}`, { headers: AUTH });
    return { status: res.status, body: (await res.json()) as Row };
  };

  beforeAll(async () => {
    lg = startGateway();
    linkFour(lg, up.url);
    // "fo" tries a broken provider first, so its record has an attempt chain.
    lg.link({
      model: "fo",
      provider: "broken",
      type: "openai",
      baseUrl: up.url,
      providerModel: "fail-500",
      priority: 10,
      modelOptions: { strategy: "priority" },
    });
    lg.link({
      model: "fo",
      provider: "oa",
      type: "openai",
      baseUrl: up.url,
      providerModel: "up-gpt",
      priority: 1,
    });
    const send = async (name: string, style: ClientStyle, model: string = FOUR[style].model) => {
      // Apart in time, so a window can hold exactly one request (the clock has ms resolution).
      await Bun.sleep(3);
      const { path, body } = minimalRequest(style, model, false);
      const res = await post(lg, path, body);
      await res.text();
      traces[name] = res.headers.get("x-request-id") as string;
    };
    await send("chat", "openai", "fo"); // fails over from "broken"
    await Bun.sleep(3);
    const from = Date.now();
    await send("claude", "anthropic");
    const to = Date.now();
    between = { from, to };
    await send("gemini", "gemini");
    await send("missing", "openai", "no-such-model");
    await send("resp", "openai-responses");
    await lg.flush();
  });
  afterAll(() => lg.stop());

  it("pages newest first with {data, total, total_exact, total_lower_bound, page, page_size, pages}", async () => {
    const { status, body } = await api("/logs?page=1&page_size=2");
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual([
      "data",
      "page",
      "page_size",
      "pages",
      "total",
      "total_exact",
      "total_lower_bound",
    ]);
    expect(body).toMatchObject({ total: 5, total_exact: true, page: 1, page_size: 2, pages: 3 });
    expect(body.data.map((r: Row) => r.trace_id)).toEqual([traces.resp, traces.missing]);
    const p3 = await api("/logs?page=3&page_size=2");
    expect(p3.body.data.map((r: Row) => r.trace_id)).toEqual([traces.chat]);
    expect((await api("/logs?page=4&page_size=2")).body.data).toEqual([]);
  });

  it.each([
    ["model", "model=claude-x", ["claude"]],
    ["status", "status=error", ["missing"]],
    ["style", "style=openai-responses", ["resp"]],
    ["provider by name", "provider=gm", ["gemini"]],
    ["model and status together", "model=fo&status=success", ["chat"]],
    ["status and style together", "status=success&style=openai", ["chat"]],
  ])("filters by %s", async (_what, query, names) => {
    const { body } = await api(`/logs?${query}`);
    expect(body.data.map((r: Row) => r.trace_id)).toEqual(names.map((n) => traces[n]));
    expect(body.total).toBe(names.length);
  });

  it("filters by provider id and by trace_id", async () => {
    const an = (await api(`/logs?trace_id=${traces.claude}`)).body;
    expect(an.total).toBe(1);
    const byId = (await api(`/logs?provider=${an.data[0].provider_id}`)).body;
    expect(byId.data.map((r: Row) => r.trace_id)).toEqual([traces.claude]);
  });

  it("filters by a time window, in epoch ms or ISO-8601, bounds inclusive", async () => {
    const ms = (await api(`/logs?from=${between.from}&to=${between.to}`)).body;
    expect(ms.data.map((r: Row) => r.trace_id)).toEqual([traces.claude]);
    const iso = (
      await api(`/logs?from=${new Date(between.from).toISOString()}&to=${new Date(between.to).toISOString()}`)
    ).body;
    expect(iso.data.map((r: Row) => r.trace_id)).toEqual([traces.claude]);
    expect((await api("/logs?from=yesterday")).status).toBe(422);
  });

  it("GET /api/logs/:id returns one record with its attempt chain", async () => {
    const row = (await api(`/logs?trace_id=${traces.chat}`)).body.data[0];
    expect(row.stream).toBe(false);
    const { status, body } = await api(`/logs/${row.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      trace_id: traces.chat,
      status: "success",
      provider_name: "oa",
      bodies: null,
    });
    expect(body.attempts).toHaveLength(1);
    expect(body.attempts[0]).toMatchObject({
      provider_name: "broken",
      provider_model: "fail-500",
      status: 500,
      kind: "server",
    });
    expect(body.attempts[0].ms).toBeGreaterThanOrEqual(0);
    expect((await api("/logs/999999")).status).toBe(404);
  });

  it("needs the admin token", async () => {
    expect((await fetch(`${lg.url}/api/logs`)).status).toBe(401);
  });
});

describe("Recorder", () => {
  const count = (db: ReturnType<typeof openDatabase>) =>
    (db.query("SELECT COUNT(*) AS n FROM request_logs").get() as { n: number }).n;

  /** Wraps db.transaction to measure how many rows each transaction wrote. */
  function measureTransactions(db: ReturnType<typeof openDatabase>): number[] {
    const sizes: number[] = [];
    const original = db.transaction.bind(db);
    db.transaction = ((fn: (...args: any[]) => unknown) => {
      const tx = original(fn);
      return (...args: any[]) => {
        const before = count(db);
        const result = tx(...args);
        sizes.push(count(db) - before);
        return result;
      };
    }) as typeof db.transaction;
    return sizes;
  }

  it("counts what it drops past capacity and never throws; drain writes everything it kept", async () => {
    const db = openDatabase(":memory:");
    const r = new Recorder(inlineStore(sqliteStorage(db).records, silentLogger), {
      capacity: 3,
      intervalMs: 60_000,
    });
    for (let i = 0; i < 5; i++) expect(() => r.push(record(i))).not.toThrow();
    expect(r.dropped).toBe(2);
    expect(r.pending).toBe(3);
    expect(count(db)).toBe(0);
    await r.drain();
    expect(count(db)).toBe(3);
    expect(r.written).toBe(3);
    expect(r.pending).toBe(0);
  });

  it("flushes on its own after the interval, again and again", async () => {
    const db = openDatabase(":memory:");
    const r = new Recorder(inlineStore(sqliteStorage(db).records, silentLogger), { intervalMs: 10 });
    r.push(record(1));
    expect(count(db)).toBe(0);
    await until(() => count(db) === 1, "the first timed flush");
    // A small batch is written without awaiting anything; the writer must still be free for the next one.
    r.push(record(2));
    await until(() => count(db) === 2, "the second timed flush");
    r.push(record(3));
    await r.drain();
    r.push(record(4));
    await r.drain();
    expect(count(db)).toBe(4);
  });

  it("writes 5,000 records in transactions of at most chunkSize rows, yielding between them", async () => {
    const db = openDatabase(":memory:");
    const sizes = measureTransactions(db);
    const r = new Recorder(inlineStore(sqliteStorage(db).records, silentLogger, 200), {
      batchSize: 100_000,
      intervalMs: 60_000,
    });
    for (let i = 0; i < 5000; i++) r.push(record(i));
    let seenMidway = -1;
    setImmediate(() => {
      seenMidway = count(db);
    });
    await r.drain();
    expect(count(db)).toBe(5000);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(200);
    expect(sizes.length).toBe(25);
    // The event loop ran while the batch was being written.
    expect(seenMidway).toBeGreaterThan(0);
    expect(seenMidway).toBeLessThan(5000);
  });

  it("counts a failed write and carries on", async () => {
    const db = openDatabase(":memory:");
    db.run("DROP TABLE request_bodies");
    db.run("DROP TABLE request_logs");
    const r = new Recorder(inlineStore(sqliteStorage(db).records, silentLogger), { intervalMs: 60_000 });
    r.push(record(1));
    await r.drain();
    expect(r.failed).toBe(1);
    expect(r.written).toBe(0);
  });
});
