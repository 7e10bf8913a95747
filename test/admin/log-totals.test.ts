import { describe, expect, it } from "bun:test";
import { insertRecords } from "../../src/storage/request-logs";
import type { RequestRecord } from "../../src/storage/request-record";
import { makeApp } from "../helpers/app";
import { record } from "../helpers/records";

const NOW = Date.UTC(2025, 5, 15, 10, 30);
const clock = { now: () => NOW, mono: () => 0 };

/** 10,050 records over the last hours, one session, five of them errors. */
function seeded() {
  const ctx = makeApp({ clock });
  const records: RequestRecord[] = Array.from({ length: 10_050 }, (_, i) => ({
    ...record(i),
    session_id: "s-1",
    status: i % 2011 === 7 ? "error" : "success",
    total_ms: 1 + (i % 100),
    created_at: NOW - 10 * 3_600_000 + i * 1000,
  }));
  insertRecords(ctx.db, records);
  return ctx;
}

type Page = {
  total: number;
  total_exact: boolean;
  total_lower_bound: boolean;
  pages: number;
  data: unknown[];
};

const logs = async (app: ReturnType<typeof makeApp>["app"], qs: string) => {
  const res = await app.handle(
    new Request(`http://localhost/api/logs?${qs}`, { headers: { authorization: "Bearer test-admin-token" } }),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
};

describe("GET /api/logs totals", () => {
  const { app } = seeded();

  it("counts exactly when at most 10,000 records match", async () => {
    expect(await logs(app, "status=error")).toMatchObject({
      total: 5,
      total_exact: true,
      total_lower_bound: false,
    });
    expect(await logs(app, `model=m&from=${NOW - 10 * 3_600_000 + 6_400_000}`)).toMatchObject({
      total: 3650,
      total_exact: true,
    });
  });

  it("estimates past 10,000 from the id span of a time range, flagged as an estimate", async () => {
    const page = await logs(app, "page=2&page_size=50");
    expect(page).toMatchObject({ total: 10_050, total_exact: false, total_lower_bound: false, pages: 201 });
    expect(page.data).toHaveLength(50);
    expect(await logs(app, `from=${NOW - 10 * 3_600_000 + 50_000}`)).toMatchObject({
      total: 10_000,
      total_exact: true,
    });
  });

  it("estimates a model or provider filter past 10,000 from the daily rollups", async () => {
    expect(await logs(app, "model=m")).toMatchObject({
      total: 10_050,
      total_exact: false,
      total_lower_bound: false,
    });
  });

  it("says only 'at least' when no cheap estimate exists", async () => {
    expect(await logs(app, "session_id=s-1")).toMatchObject({
      total: 10_000,
      total_exact: false,
      total_lower_bound: true,
    });
    // Status success has no index: its matches are counted among the newest 5,000 records.
    expect(await logs(app, "status=success")).toMatchObject({
      total: 4_998,
      total_exact: false,
      total_lower_bound: true,
    });
  });
});

describe("GET /api/metrics/percentiles", () => {
  it("gives p50 and p95 of total latency from the rollups", async () => {
    const { app } = seeded();
    const res = await app.handle(
      new Request("http://localhost/api/metrics/percentiles?days=1&tz_offset_min=0", {
        headers: { authorization: "Bearer test-admin-token" },
      }),
    );
    const body = (await res.json()) as {
      all: { reqs: number; total_ms: { p50: number; p95: number }; first_chunk_ms: { p50: number | null } };
      providers: { provider_id: number | null; reqs: number }[];
    };
    expect(body.all.reqs).toBe(10_050);
    // total_ms runs 1..100 evenly: exact p50 50, p95 95; the histogram answers within 9%.
    expect(Math.abs(body.all.total_ms.p50 / 50 - 1)).toBeLessThan(0.091);
    expect(Math.abs(body.all.total_ms.p95 / 95 - 1)).toBeLessThan(0.091);
    expect(body.all.first_chunk_ms.p50).toBeNull();
    expect(body.providers).toEqual([expect.objectContaining({ provider_id: null, reqs: 10_050 })]);
  });
});
