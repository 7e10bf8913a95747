import { describe, expect, it } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { silentLogger } from "../../src/core/logger";
import { sqliteStorage } from "../../src/storage/sqlite";
import { workerReader } from "../../src/telemetry/analytics";
import { workerStore } from "../../src/telemetry/store";
import { SIDE_THREAD_NICE } from "../../src/telemetry/thread-priority";
import { record } from "../helpers/records";
import { tempDatabases } from "../helpers/temp-db";

// Linux keeps a nice value per thread (/proc/self/task/<tid>/stat, field 19); the side threads must run
// below the thread that proxies, so a batch insert or a long report never holds its core.
const linux = process.platform === "linux";

/** This process's threads: id, name and nice value. */
function threads(): { tid: string; name: string; nice: number }[] {
  const out = [];
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const name = readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim();
      out.push({ tid, name, nice: Number(fields[16]) });
    } catch {
      // the thread ended while being read
    }
  }
  return out;
}

/**
 * Starts a side thread through `start` and checks that exactly one new Worker thread came up, at
 * SIDE_THREAD_NICE, while the main thread (whose id is the process's) stays at 0; `close` stops it.
 */
async function expectOneYieldingThread(start: () => Promise<unknown>, close: () => Promise<void>) {
  const before = new Set(threads().map((t) => t.tid));
  try {
    await start();
    const started = threads().filter((t) => !before.has(t.tid) && t.name === "Worker");
    expect(started.map((t) => t.nice)).toEqual([SIDE_THREAD_NICE]);
    expect(threads().find((t) => t.tid === String(process.pid))?.nice).toBe(0);
  } finally {
    await close();
  }
}

const tempDb = tempDatabases("llmio-nice-");

describe.if(linux)("side threads yield to the proxy", () => {
  it("the record writer thread runs at a lower priority than the main thread", async () => {
    const { db, path } = tempDb();
    const store = workerStore(sqliteStorage(db).records, path, silentLogger);
    await expectOneYieldingThread(
      () => store.write([record(1)]),
      () => store.close(),
    );
  });

  it("the analytics thread runs at a lower priority than the main thread", async () => {
    const { db, path } = tempDb();
    const reader = workerReader(db, path, silentLogger, { timeoutMs: 10_000, maxPending: 4 });
    await expectOneYieldingThread(
      () => reader.run("usageTotals", { from: 0, to: Date.now() }),
      () => reader.close(),
    );
  });
});
