import { describe, expect, it } from "bun:test";
import { silentLogger } from "../../src/core/logger";
import { openDatabase } from "../../src/storage/db";
import { insertRecords } from "../../src/storage/request-logs";
import { sqliteStorage } from "../../src/storage/sqlite";
import { Recorder } from "../../src/telemetry/recorder";
import { workerStore } from "../../src/telemetry/store";
import { record } from "../helpers/records";
import { tempDatabases } from "../helpers/temp-db";

const tempDb = tempDatabases("llmio-store-");
const count = (db: ReturnType<typeof openDatabase>) =>
  (db.query("SELECT COUNT(*) AS n FROM request_logs").get() as { n: number }).n;

describe("worker record store", () => {
  it("writes batches from a writer thread into the same database file", async () => {
    const { db, path } = tempDb();
    const store = workerStore(sqliteStorage(db).records, path, silentLogger);
    const r = new Recorder(store, { intervalMs: 60_000, batchSize: 700 });
    for (let i = 0; i < 2000; i++) r.push(record(i));
    await r.close();
    expect(count(db)).toBe(2000);
    expect(r.written).toBe(2000);
    expect(r.failed).toBe(0);
    const first = db.query("SELECT trace_id, created_at FROM request_logs ORDER BY id LIMIT 1").get();
    expect(first).toEqual({ trace_id: record(0).trace_id, created_at: record(0).created_at });
  });

  it("answers each batch with what it wrote, and reports failed rows", async () => {
    const { db, path } = tempDb();
    const store = workerStore(sqliteStorage(db).records, path, silentLogger);
    expect(await store.write(Array.from({ length: 1200 }, (_, i) => record(i)))).toEqual({
      written: 1200,
      failed: 0,
    });
    // A log row must name a known status: the CHECK constraint fails this chunk, the worker carries on.
    const bad = { ...record(5000), status: "nope" } as unknown as ReturnType<typeof record>;
    expect(await store.write([bad])).toEqual({ written: 0, failed: 1 });
    // Inside a multi-row INSERT too: none of its chunk is stored, not even the rows before it.
    const chunk = Array.from({ length: 40 }, (_, i) => (i === 35 ? bad : record(6000 + i)));
    expect(await store.write(chunk)).toEqual({ written: 0, failed: 40 });
    expect(await store.write([record(5001)])).toEqual({ written: 1, failed: 0 });
    await store.close();
    expect(count(db)).toBe(1201);
  });

  it("falls back to the main thread when the worker cannot open the database", async () => {
    const { db } = tempDb();
    const store = workerStore(
      sqliteStorage(db).records,
      "/proc/llmio-cannot-write-here/llmio.db",
      silentLogger,
    );
    const r = new Recorder(store, { intervalMs: 60_000 });
    for (let i = 0; i < 10; i++) r.push(record(i));
    await r.close();
    expect(count(db)).toBe(10);
    expect(r.written).toBe(10);
  });
});

describe("worker record store: retention's deletes", () => {
  it("deletes old records in bounded chunks on the writer thread, and reports how many", async () => {
    const { db, path } = tempDb();
    insertRecords(
      db,
      Array.from({ length: 30 }, (_, i) => record(i)),
    );
    const store = workerStore(sqliteStorage(db).records, path, silentLogger);
    expect(await store.prune(record(25).created_at, 10)).toBe(10);
    expect(await store.prune(record(25).created_at, 10)).toBe(10);
    expect(await store.prune(record(25).created_at, 10)).toBe(5);
    await store.close();
    expect(count(db)).toBe(5);
  });

  it("deletes on the main thread when the worker cannot open the database", async () => {
    const { db } = tempDb();
    insertRecords(
      db,
      Array.from({ length: 3 }, (_, i) => record(i)),
    );
    const store = workerStore(
      sqliteStorage(db).records,
      "/proc/llmio-cannot-write-here/llmio.db",
      silentLogger,
    );
    expect(await store.prune(record(2).created_at, 500)).toBe(2);
    await store.close();
    expect(count(db)).toBe(1);
  });
});

describe("worker record store at shutdown", () => {
  it("writes a record that arrives after close() on the main thread instead of losing it", async () => {
    const { db, path } = tempDb();
    const store = workerStore(sqliteStorage(db).records, path, silentLogger);
    const r = new Recorder(store, { intervalMs: 60_000 });
    r.push(record(1));
    await r.close();
    r.push(record(2));
    await r.drain();
    expect(count(db)).toBe(2);
    expect(r.written).toBe(2);
  });
});
