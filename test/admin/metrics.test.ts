import { describe, expect, it } from "bun:test";
import type { Clock } from "../../src/core/clock";
import type { Usage } from "../../src/protocols/types";
import { insertRecords } from "../../src/storage/request-logs";
import type { RequestRecord } from "../../src/storage/request-record";
import { makeApp } from "../helpers/app";
import { record } from "../helpers/records";
import { expectError } from "./support";

const HOUR = 3_600_000;
/** 2025-06-15 10:30 UTC: the server's "now" in every test. */
const NOW = Date.UTC(2025, 5, 15, 10, 30);
const fixedClock: Clock = { now: () => NOW, mono: () => 0 };

const usage = (input: number, cachedRead: number, output: number): Usage => ({
  input,
  cachedRead,
  cacheWrite: 0,
  output,
  reasoning: 0,
});

let seq = 0;
const at = (iso: string, over: Partial<RequestRecord>): RequestRecord => ({
  ...record(++seq),
  created_at: Date.parse(iso),
  ...over,
});

/*
 * p1 and p2 are real providers (ids 1 and 2); r2 failed at p2; r7 never reached a provider. In UTC, "today" holds r1, r2
 * and r7; r3 is late yesterday (today for UTC+8); r4 ten days ago; r5 outside 30 days; r6 in the future.
 */
const p1 = { provider_id: 1, provider_name: "old-p1-name" };
const p2 = { provider_id: 2, provider_name: "p2" };
const RECORDS = [
  at("2025-06-15T09:00:00Z", {
    ...p1,
    model: "a",
    stream: true,
    usage: { ...usage(10, 5, 20), reasoning: 3 },
    cost: 0.5,
    currency: "USD",
    total_ms: 100,
    first_chunk_ms: 40,
  }),
  // Failed at p2: like the gateway's own records, no answering provider, p2 in the attempt chain.
  at("2025-06-15T01:00:00Z", {
    model: "b",
    status: "error",
    http_status: 502,
    total_ms: 300,
    attempts: [
      {
        provider_id: 2,
        provider_name: "p2",
        provider_model: "up",
        link_id: 2,
        status: 502,
        kind: "server",
        error: "bad gateway",
        ms: 290,
      },
    ],
  }),
  at("2025-06-14T23:00:00Z", {
    ...p1,
    model: "a",
    usage: usage(100, 0, 50),
    cost: 2,
    currency: "CNY",
    total_ms: 200,
  }),
  at("2025-06-05T12:00:00Z", {
    ...p2,
    model: "c",
    usage: usage(1000, 0, 0),
    cost: 1,
    currency: "USD",
    total_ms: 500,
  }),
  at("2025-05-06T12:00:00Z", { ...p1, model: "a", usage: usage(7, 0, 0), cost: 0.25, currency: "USD" }),
  at("2025-06-15T10:31:00Z", { ...p1, model: "a", usage: usage(9999, 0, 0) }),
  at("2025-06-15T05:00:00Z", { model: "b", status: "error", http_status: 503, total_ms: 2 }),
];

async function seeded() {
  const ctx = makeApp({ clock: fixedClock });
  for (const name of ["p1", "p2"]) {
    const res = await ctx.api.api.providers.post({
      name,
      type: "openai",
      base_url: "http://x",
      api_key: "k",
    });
    expect(res.status).toBe(201);
  }
  insertRecords(ctx.db, RECORDS);
  return ctx;
}

describe("GET /api/metrics/use/:days", () => {
  it("sums today since UTC midnight when the browser says UTC", async () => {
    const { api } = await seeded();
    const res = await api.api.metrics.use({ days: "1" }).get({ query: { tz_offset_min: 0 } });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({
      reqs: 3,
      tokens: 35,
      input_tokens: 10,
      cached_tokens: 5,
      output_tokens: 20,
      cost: [{ currency: "USD", amount: 0.5 }],
      errors: 2,
      avg_first_chunk_ms: 40,
      avg_total_ms: 134,
    });
  });

  it("sums the last 30 days with cost per currency, leaving out older and future records", async () => {
    const { api } = await seeded();
    const res = await api.api.metrics.use({ days: "30" }).get({ query: { tz_offset_min: 0 } });
    expect(res.data).toEqual({
      reqs: 5,
      tokens: 1185,
      input_tokens: 1110,
      cached_tokens: 5,
      output_tokens: 70,
      cost: [
        { currency: "CNY", amount: 2 },
        { currency: "USD", amount: 1.5 },
      ],
      errors: 2,
      avg_first_chunk_ms: 40,
      avg_total_ms: 220.4,
    });
    const year = await api.api.metrics.use({ days: "365" }).get({ query: { tz_offset_min: 0 } });
    expect(year.data?.reqs).toBe(6);
    expect(year.data?.cost).toEqual([
      { currency: "CNY", amount: 2 },
      { currency: "USD", amount: 1.75 },
    ]);
  });

  it("moves local midnight with tz_offset_min", async () => {
    const { api } = await seeded();
    // UTC+8: 18:30 local, the day began at 16:00 UTC yesterday, so r3 is today too.
    const east = await api.api.metrics.use({ days: "1" }).get({ query: { tz_offset_min: 480 } });
    expect(east.data?.reqs).toBe(4);
    expect(east.data?.tokens).toBe(185);
    // UTC-10: 00:30 local, the day began at 10:00 UTC, nothing yet.
    const west = await api.api.metrics.use({ days: "1" }).get({ query: { tz_offset_min: -600 } });
    expect(west.data).toEqual({
      reqs: 0,
      tokens: 0,
      input_tokens: 0,
      cached_tokens: 0,
      output_tokens: 0,
      cost: [],
      errors: 0,
      avg_first_chunk_ms: null,
      avg_total_ms: null,
    });
  });

  it("uses the server's offset when the browser sends none", async () => {
    const { api } = await seeded();
    const serverOffset = -new Date(NOW).getTimezoneOffset();
    const implicit = await api.api.metrics.use({ days: "1" }).get();
    const explicit = await api.api.metrics.use({ days: "1" }).get({ query: { tz_offset_min: serverOffset } });
    expect(implicit.data).toEqual(explicit.data as NonNullable<typeof explicit.data>);
  });

  it.each(["0", "366", "abc", "1.5", "-1"])("answers 422 naming days for days=%s", async (days) => {
    const { api } = await seeded();
    expectError(await api.api.metrics.use({ days }).get(), 422, "days");
  });

  it("answers 422 naming tz_offset_min when it is out of range", async () => {
    const { api } = await seeded();
    expectError(
      await api.api.metrics.use({ days: "1" }).get({ query: { tz_offset_min: 9999 } }),
      422,
      "tz_offset_min",
    );
  });
});

describe("GET /api/metrics/counts", () => {
  it("counts calls and tokens per model, most called first, ties by name", async () => {
    const { api } = await seeded();
    const month = await api.api.metrics.counts.get({ query: { days: 30, tz_offset_min: 0 } });
    expect(month.data).toEqual([
      { model: "a", calls: 2, tokens: 185 },
      { model: "b", calls: 2, tokens: 0 },
      { model: "c", calls: 1, tokens: 1000 },
    ]);
    const today = await api.api.metrics.counts.get({ query: { days: 1, tz_offset_min: 0 } });
    expect(today.data).toEqual([
      { model: "b", calls: 2, tokens: 0 },
      { model: "a", calls: 1, tokens: 35 },
    ]);
  });

  it("covers 30 days when days is omitted", async () => {
    const { api } = await seeded();
    const res = await api.api.metrics.counts.get({ query: { tz_offset_min: 0 } });
    expect(res.data?.map((c) => c.calls)).toEqual([2, 2, 1]);
  });

  it.each([0, 366])("answers 422 naming days for days=%d", async (days) => {
    const { api } = await seeded();
    expectError(await api.api.metrics.counts.get({ query: { days } }), 422, "days");
  });
});

describe("GET /api/metrics/series", () => {
  it("gives the last 24 hours by hour, empty hours as zeros", async () => {
    const { api } = await seeded();
    const res = await api.api.metrics.series.get({ query: { bucket: "hour", days: 1, tz_offset_min: 0 } });
    const points = res.data ?? [];
    expect(points).toHaveLength(24);
    expect(points[0]?.t).toBe(Date.parse("2025-06-14T11:00:00Z"));
    expect(points[23]?.t).toBe(Date.parse("2025-06-15T10:00:00Z"));
    points.forEach((p, i) => {
      expect(p.t).toBe((points[0]?.t ?? 0) + i * HOUR);
    });
    expect(points.flatMap((p, i) => (p.reqs ? [i] : []))).toEqual([12, 14, 18, 22]);
    expect(points[12]).toEqual({
      t: Date.parse("2025-06-14T23:00:00Z"),
      reqs: 1,
      errors: 0,
      tokens: 150,
      input_tokens: 100,
      output_tokens: 50,
      cost: [{ currency: "CNY", amount: 2 }],
    });
    expect(points[14]).toMatchObject({ reqs: 1, errors: 1, tokens: 0, cost: [] });
    expect(points[18]).toMatchObject({ reqs: 1, errors: 1 });
    expect(points[22]).toMatchObject({ reqs: 1, tokens: 35, cost: [{ currency: "USD", amount: 0.5 }] });
    expect(points[0]).toEqual({
      t: points[0]?.t as number,
      reqs: 0,
      errors: 0,
      tokens: 0,
      input_tokens: 0,
      output_tokens: 0,
      cost: [],
    });
  });

  it("gives the last 30 days by day by default, today last", async () => {
    const { api } = await seeded();
    const res = await api.api.metrics.series.get({ query: { tz_offset_min: 0 } });
    const points = res.data ?? [];
    expect(points).toHaveLength(30);
    expect(points[29]).toEqual({
      t: Date.parse("2025-06-15T00:00:00Z"),
      reqs: 3,
      errors: 2,
      tokens: 35,
      input_tokens: 10,
      output_tokens: 20,
      cost: [{ currency: "USD", amount: 0.5 }],
    });
    expect(points[28]).toMatchObject({ t: Date.parse("2025-06-14T00:00:00Z"), reqs: 1, tokens: 150 });
    expect(points[19]).toMatchObject({ t: Date.parse("2025-06-05T00:00:00Z"), reqs: 1, tokens: 1000 });
    expect(points.reduce((n, p) => n + p.reqs, 0)).toBe(5);
    expect(points[0]?.t).toBe(Date.parse("2025-05-17T00:00:00Z"));
  });

  it("starts days at local midnight", async () => {
    const { api } = await seeded();
    const res = await api.api.metrics.series.get({ query: { bucket: "day", days: 7, tz_offset_min: 480 } });
    const points = res.data ?? [];
    expect(points).toHaveLength(7);
    expect(points[6]).toMatchObject({ t: Date.parse("2025-06-14T16:00:00Z"), reqs: 4, tokens: 185 });
    expect(points.slice(0, 6).every((p) => p.reqs === 0)).toBe(true);
  });

  it.each([
    [{ bucket: "week" }, "bucket"],
    [{ days: 0 }, "days"],
    [{ tz_offset_min: -900 }, "tz_offset_min"],
  ])("answers 422 for %o naming %s", async (query, field) => {
    const { app } = await seeded();
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
    const res = await app.handle(
      new Request(`http://localhost/api/metrics/series?${qs}`, {
        headers: { authorization: "Bearer test-admin-token" },
      }),
    );
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe(field);
  });
});

describe("GET /api/metrics/providers", () => {
  it("gives figures per provider a request ended at, under its current name, busiest first", async () => {
    const { api } = await seeded();
    const res = await api.api.metrics.providers.get({ query: { days: 30, tz_offset_min: 0 } });
    expect(res.data).toEqual([
      {
        provider_id: 1,
        provider_name: "p1",
        reqs: 2,
        errors: 0,
        tokens: 185,
        cost: [
          { currency: "CNY", amount: 2 },
          { currency: "USD", amount: 0.5 },
        ],
        avg_total_ms: 150,
        avg_first_chunk_ms: 40,
      },
      {
        provider_id: 2,
        provider_name: "p2",
        reqs: 2,
        errors: 1,
        tokens: 1000,
        cost: [{ currency: "USD", amount: 1 }],
        avg_total_ms: 400,
        avg_first_chunk_ms: null,
      },
      {
        provider_id: null,
        provider_name: null,
        reqs: 1,
        errors: 1,
        tokens: 0,
        cost: [],
        avg_total_ms: 2,
        avg_first_chunk_ms: null,
      },
    ]);
  });

  it("keeps the recorded name of a provider deleted since", async () => {
    const { api } = await seeded();
    expect((await api.api.providers({ id: 2 }).delete()).status).toBe(200);
    const res = await api.api.metrics.providers.get({ query: { days: 1, tz_offset_min: 0 } });
    expect(res.data?.map((p) => [p.provider_id, p.provider_name, p.reqs])).toEqual([
      [1, "p1", 1],
      [2, "p2", 1],
      [null, null, 1],
    ]);
  });
});

describe("metrics auth", () => {
  it.each(["/use/1", "/counts", "/series", "/providers"])(
    "answers 401 without the admin token: %s",
    async (path) => {
      const { app } = makeApp({ clock: fixedClock });
      const res = await app.handle(new Request(`http://localhost/api/metrics${path}`));
      expect(res.status).toBe(401);
      const wrong = await app.handle(
        new Request(`http://localhost/api/metrics${path}`, { headers: { authorization: "Bearer nope" } }),
      );
      expect(wrong.status).toBe(401);
    },
  );
});
