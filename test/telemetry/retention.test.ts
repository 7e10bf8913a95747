import { describe, expect, it } from "bun:test";
import { silentLogger } from "../../src/core/logger";
import { openDatabase } from "../../src/storage/db";
import { sqliteStorage } from "../../src/storage/sqlite";
import { insertRecords } from "../../src/storage/request-logs";
import { pruneOldLogs } from "../../src/telemetry/retention";
import { record } from "../helpers/records";

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
const clock = { now: () => NOW, mono: () => 0 };

describe("request log retention", () => {
  it("deletes logs older than the window, with their bodies, in chunks, and keeps the rest", async () => {
    const db = openDatabase(":memory:");
    const old = Array.from({ length: 1200 }, (_, i) => ({
      ...record(i),
      created_at: NOW - 31 * DAY - i,
      bodies: { request: "q", response: "a" },
    }));
    const fresh = Array.from({ length: 10 }, (_, i) => ({ ...record(5000 + i), created_at: NOW - 29 * DAY }));
    insertRecords(db, [...old, ...fresh]);
    expect(await pruneOldLogs(sqliteStorage(db).records, 30, clock, silentLogger)).toBe(1200);
    const left = db.query("SELECT COUNT(*) AS n FROM request_logs").get() as { n: number };
    expect(left.n).toBe(10);
    const bodies = db.query("SELECT COUNT(*) AS n FROM request_bodies").get() as { n: number };
    expect(bodies.n).toBe(0);
    expect(await pruneOldLogs(sqliteStorage(db).records, 30, clock, silentLogger)).toBe(0);
  });
});
