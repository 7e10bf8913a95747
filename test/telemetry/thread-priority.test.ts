import { afterEach, describe, expect, it } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../src/core/logger";
import { openDatabase } from "../../src/storage/db";
import { sqliteStorage } from "../../src/storage/sqlite";
import { workerReader } from "../../src/telemetry/analytics";
import { workerStore } from "../../src/telemetry/store";
import { SIDE_THREAD_NICE } from "../../src/telemetry/thread-priority";
import { record } from "../helpers/records";

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

/** The threads started by `start` (compared with those before it), once `start` has resolved. */
async function startedBy(start: () => Promise<unknown>) {
  const before = new Set(threads().map((t) => t.tid));
  await start();
  return threads().filter((t) => !before.has(t.tid) && t.name === "Worker");
}

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop() as string, { recursive: true, force: true });
});
function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), "llmio-nice-"));
  dirs.push(dir);
  const path = join(dir, "llmio.db");
  return { db: openDatabase(path), path };
}

describe.if(linux)("side threads yield to the proxy", () => {
  it("the record writer thread runs at a lower priority than the main thread", async () => {
    const { db, path } = tempDb();
    const store = workerStore(sqliteStorage(db).records, path, silentLogger);
    const started = await startedBy(() => store.write([record(1)]));
    try {
      expect(started.length).toBe(1);
      expect(started[0]?.nice).toBe(SIDE_THREAD_NICE);
      // The main thread (the one whose id is the process's) is left as it was.
      expect(threads().find((t) => t.tid === String(process.pid))?.nice).toBe(0);
    } finally {
      await store.close();
    }
  });

  it("the analytics thread runs at a lower priority than the main thread", async () => {
    const { db, path } = tempDb();
    const reader = workerReader(db, path, silentLogger, { timeoutMs: 10_000, maxPending: 4 });
    const started = await startedBy(() => reader.run("usageTotals", { from: 0, to: Date.now() }));
    try {
      expect(started.length).toBe(1);
      expect(started[0]?.nice).toBe(SIDE_THREAD_NICE);
      expect(threads().find((t) => t.tid === String(process.pid))?.nice).toBe(0);
    } finally {
      await reader.close();
    }
  });
});
