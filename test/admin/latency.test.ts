import { describe, expect, it } from "bun:test";
import { insertRecords } from "../../src/storage/request-logs";
import { makeApp } from "../helpers/app";
import { record } from "../helpers/records";
import { expectError } from "./support";

describe("GET /api/metrics/latency", () => {
  it("gives p50 / p95 latency, time to first token and error counts per model and per provider", async () => {
    const { api, db } = makeApp();
    const now = Date.now();
    const rec = (i: number, over: Partial<ReturnType<typeof record>>) => ({
      ...record(i),
      created_at: now - 1000 - i,
      ...over,
    });
    insertRecords(db, [
      // m1 on provider A: durations 1..20 ms, the even ones streamed with first chunk at d/2.
      ...Array.from({ length: 20 }, (_, i) =>
        rec(i, {
          model: "m1",
          provider_id: 1,
          provider_name: "A",
          total_ms: i + 1,
          stream: i % 2 === 1,
          first_chunk_ms: i % 2 === 1 ? (i + 1) / 2 : null,
        }),
      ),
      // Two failures of m1 (not in the percentiles, counted as errors), one m2 on B, one too old.
      rec(50, { model: "m1", status: "error", total_ms: 9999 }),
      rec(51, { model: "m1", status: "error", total_ms: 9999 }),
      rec(52, { model: "m2", provider_id: 2, provider_name: "B", total_ms: 300 }),
      rec(53, { model: "m2", total_ms: 1, created_at: now - 3 * 86_400_000 }),
    ]);
    const res = await api.api.metrics.latency.get({ query: { hours: 24 } });
    expect(res.status).toBe(200);
    expect(res.data?.models).toEqual([
      {
        name: "m1",
        requests: 22,
        errors: 2,
        latency: { n: 20, p50: 10, p95: 19 },
        ttft: { n: 10, p50: 5, p95: 10 },
      },
      { name: "m2", requests: 1, errors: 0, latency: { n: 1, p50: 300, p95: 300 }, ttft: null },
    ]);
    expect(res.data?.providers.map((p) => [p.name, p.requests, p.latency?.p95])).toEqual([
      ["A", 20, 19],
      ["B", 1, 300],
    ]);
    // A wider window takes in the old record.
    const week = await api.api.metrics.latency.get({ query: { hours: 24 * 7 } });
    expect(week.data?.models.find((m) => m.name === "m2")?.requests).toBe(2);
  });

  it("refuses a window out of range with 422, and answers 401 without the token", async () => {
    const { api, anon } = makeApp();
    expect((await api.api.metrics.latency.get({ query: { hours: 0 } })).status).toBe(422);
    expectError(await anon.api.metrics.latency.get({ query: {} }), 401);
  });
});
