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
  it("filters by the upstream protocol, apart from the client's", () => {
    const db = seeded();
    expect(traces(queryLogs(db, { page: 1, page_size: 20, upstream_type: "openai" }))).toEqual([
      "t-1",
      "t-2",
    ]);
    expect(
      traces(queryLogs(db, { page: 1, page_size: 20, style: "openai", upstream_type: "gemini" })),
    ).toEqual(["t-3"]);
  });

  it("filters by a part of the User-Agent, whatever its case", () => {
    const db = seeded();
    expect(traces(queryLogs(db, { page: 1, page_size: 20, user_agent: "CLAUDE-cli" }))).toEqual(["t-1"]);
    expect(traces(queryLogs(db, { page: 1, page_size: 20, user_agent: "python" }))).toEqual(["t-2"]);
    expect(queryLogs(db, { page: 1, page_size: 20, user_agent: "curl" }).total).toBe(0);
  });
});
