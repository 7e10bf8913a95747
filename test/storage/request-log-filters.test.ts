import { describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/storage/db";
import { sqliteStorage } from "../../src/storage/sqlite";
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

describe("a log page and its total", () => {
  it("come from one snapshot: records the writer commits while the page is read count in neither", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmio-logpage-"));
    try {
      const path = join(dir, "llmio.db");
      const writer = openDatabase(path);
      const reader = openDatabase(path);
      insertRecords(
        writer,
        [1, 2, 3].map((i) => ({ ...record(i), model: "m" })),
      );
      // The page's rows are read synchronously; the writer's batch lands at the first await after them,
      // before the total is counted (as the record writer's thread may commit at any moment).
      queueMicrotask(() =>
        insertRecords(
          writer,
          [4, 5].map((i) => ({ ...record(i), model: "m" })),
        ),
      );
      const page = await queryLogs(reader, { page: 1, page_size: 20, model: "m" });
      expect({ rows: page.data.length, total: page.total }).toEqual({ rows: 3, total: 3 });
      const next = await queryLogs(reader, { page: 1, page_size: 20, model: "m" });
      expect({ rows: next.data.length, total: next.total }).toEqual({ rows: 5, total: 5 });
      writer.close();
      reader.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a log page read while an admin write is under way on the same connection", () => {
  it("is answered from inside that transaction instead of failing to open its own", async () => {
    const storage = sqliteStorage(openDatabase(":memory:"));
    insertRecords(
      storage.db,
      [1, 2].map((i) => ({ ...record(i), model: "m" })),
    );
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    // An admin write that awaits inside its transaction (as one that notifies other instances does).
    const write = storage.transaction(async () => {
      await held;
    });
    expect(storage.db.inTransaction).toBe(true);
    const page = await queryLogs(storage.db, { page: 1, page_size: 20, model: "m" });
    expect({ rows: page.data.length, total: page.total }).toEqual({ rows: 2, total: 2 });
    expect(storage.db.inTransaction).toBe(true);
    release();
    await write;
    expect(storage.db.inTransaction).toBe(false);
    await storage.close();
  });
});
