import { describe, expect, it } from "bun:test";
import { openDatabase } from "../../src/storage/db";
import { insertRecords, queryLogs } from "../../src/storage/request-logs";
import { record } from "../helpers/records";

/** Records that differ in client protocol, upstream protocol and User-Agent. */
function seeded() {
  const db = openDatabase(":memory:");
  insertRecords(db, [
    { ...record(1), style: "anthropic", upstream_type: "openai", user_agent: "claude-cli/2.0.1 (external)" },
    { ...record(2), style: "openai", upstream_type: "openai", user_agent: "OpenAI/Python 1.50" },
    { ...record(3), style: "openai", upstream_type: "gemini", user_agent: null },
  ]);
  return db;
}
const traces = (r: { data: { trace_id: string }[] }) => r.data.map((l) => l.trace_id).sort();

describe("request log filters", () => {
  it("filters by the upstream protocol, apart from the client's", async () => {
    const db = seeded();
    expect(traces(await queryLogs(db, { page: 1, page_size: 20, upstream_type: "openai" }))).toEqual([
      "t-1",
      "t-2",
    ]);
    expect(
      traces(await queryLogs(db, { page: 1, page_size: 20, style: "openai", upstream_type: "gemini" })),
    ).toEqual(["t-3"]);
  });

  it("filters by a part of the User-Agent, whatever its case", async () => {
    const db = seeded();
    expect(traces(await queryLogs(db, { page: 1, page_size: 20, user_agent: "CLAUDE-cli" }))).toEqual([
      "t-1",
    ]);
    expect(traces(await queryLogs(db, { page: 1, page_size: 20, user_agent: "python" }))).toEqual(["t-2"]);
    expect((await queryLogs(db, { page: 1, page_size: 20, user_agent: "curl" })).total).toBe(0);
  });

  it("counts a User-Agent or upstream filter on a large table among the newest records, never as the whole table", async () => {
    const db = seeded();
    // Ids far apart, as after a long life and retention: the table counts as large, no exact count of it.
    db.run("UPDATE request_logs SET id = 500000 WHERE id = 3");
    insertRecords(db, [{ ...record(4), user_agent: "curl/8.5" }]);
    const page = (f: Record<string, string>) => queryLogs(db, { page: 1, page_size: 20, ...f });
    expect(await page({ user_agent: "wget" })).toMatchObject({ total: 0, total_lower_bound: true });
    expect(await page({ user_agent: "curl" })).toMatchObject({ total: 1, total_lower_bound: true });
    expect(await page({ upstream_type: "gemini", status: "success" })).toMatchObject({
      total: 1,
      total_lower_bound: true,
    });
    expect(await page({ user_agent: "python", status: "success" })).toMatchObject({ total: 1 });
  });
});
