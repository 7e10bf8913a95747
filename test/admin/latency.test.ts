import { describe, expect, it } from "bun:test";
import { insertRecords } from "../../src/storage/request-logs";
import { makeApp } from "../helpers/app";
import { record } from "../helpers/records";
import { expectError } from "./support";

describe("GET /api/metrics/latency", () => {
  it("gives p50 / p95 latency, time to first token and error counts per model and per provider, within the histogram resolution", async () => {
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
    // Percentiles come from log-spaced histogram buckets: within 9% of the exact nearest rank.
    const near = (got: number | undefined, exact: number) =>
      expect(Math.abs((got ?? Number.NaN) - exact) / exact).toBeLessThanOrEqual(0.09);
    const [m1, m2] = res.data?.models ?? [];
    expect(m1).toMatchObject({ name: "m1", requests: 22, errors: 2 });
    expect(m1?.latency?.n).toBe(22);
    near(m1?.latency?.p50, 11); // 1..20 ms and two 9999 ms failures: rank 11 of 22
    near(m1?.latency?.p95, 9999);
    expect(m1?.ttft?.n).toBe(10);
    near(m1?.ttft?.p50, 5);
    near(m1?.ttft?.p95, 10);
    expect(m2).toMatchObject({ name: "m2", requests: 1, errors: 0, ttft: null });
    near(m2?.latency?.p50, 300);
    const providers = res.data?.providers ?? [];
    expect(providers.find((p) => p.name === "A")?.requests).toBe(20);
    expect(providers.find((p) => p.name === "B")?.requests).toBe(1);
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

describe("GET /api/metrics/latency over whole hours", () => {
  it("reads the hourly rollups for whole hours and the records only at the window's edges, with the same figures", async () => {
    const { api, db } = makeApp();
    const hour = 3_600_000;
    const base = Math.floor(Date.now() / hour) * hour;
    // Three whole hours back, one record of 100 ms each minute, plus 10 of 10 ms in the hour under way.
    insertRecords(db, [
      ...Array.from({ length: 180 }, (_, i) => ({
        ...record(i),
        model: "m",
        provider_id: 1,
        provider_name: "A",
        total_ms: 100,
        created_at: base - 3 * hour + i * 60_000,
      })),
      ...Array.from({ length: 10 }, (_, i) => ({
        ...record(1000 + i),
        model: "m",
        provider_id: 1,
        provider_name: "A",
        total_ms: 10,
        created_at: base + i,
      })),
    ]);
    const res = await api.api.metrics.latency.get({ query: { hours: 4 } });
    const m = res.data?.models[0];
    expect(m).toMatchObject({ name: "m", requests: 190 });
    expect(m?.latency?.n).toBe(190);
    expect(Math.abs((m?.latency?.p50 ?? 0) - 100) / 100).toBeLessThanOrEqual(0.09);
    expect(Math.abs((m?.latency?.p95 ?? 0) - 100) / 100).toBeLessThanOrEqual(0.09);
  });
});
