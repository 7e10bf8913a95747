/// <reference lib="webworker" />
// The request-record writer thread: opens its own connection to the database file, inserts the batches
// the main thread sends as JSON and deletes what retention asks, answering with what it wrote or deleted.
import type { Database } from "bun:sqlite";
import { createLogger } from "../core/logger";
import { openDatabase } from "../storage/db";
import { insertRecords, pruneLogs } from "../storage/request-logs";
import { backfillStep, pruneRollups } from "../storage/rollups";
import type { RequestRecord } from "../storage/request-record";
import { writeInChunks } from "./store";
import { yieldToProxy } from "./thread-priority";

type Message =
  | { type: "open"; path: string; holdPrune?: Int32Array }
  | { type: "write"; id: number; json: string }
  | { type: "prune"; id: number; before: number; limit: number }
  | { type: "pruneRollups"; id: number; before: number }
  | { type: "close" };

const logger = createLogger("error");
// A batch insert (a few ms for a hundred records) must not hold the proxy's core between two stream chunks.
yieldToProxy();
let db: Database | null = null;
let holdPrune: Int32Array | undefined;

const opened = (): Database => {
  if (!db) throw new Error("database not open");
  return db;
};

/** A delete's answer: how many rows went, or why none did (a failed delete leaves the writer running). */
function deletion(id: number, run: () => number) {
  try {
    return { id, deleted: run() };
  } catch (err) {
    return { id, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Test hook: holds the thread, as a long delete would, until the test lets it go. */
function held(flags: Int32Array | undefined) {
  if (!flags) return;
  holdPrune = undefined;
  Atomics.store(flags, 0, 1);
  while (Atomics.load(flags, 1) === 0) Atomics.wait(flags, 1, 0, 50);
  Atomics.store(flags, 0, 2);
}

self.onmessage = async (e: MessageEvent<Message>) => {
  const msg = e.data;
  try {
    if (msg.type === "open") {
      db = openDatabase(msg.path);
      holdPrune = msg.holdPrune;
      postMessage({ id: 0, ready: true });
      void backfill(db);
    } else if (msg.type === "write") {
      const records = JSON.parse(msg.json) as RequestRecord[];
      const into = opened();
      // Nothing else runs on this thread, so one chunk may follow the next without yielding.
      postMessage({
        id: msg.id,
        ...(await writeInChunks(
          (chunk) => insertRecords(into, chunk),
          records,
          500,
          logger,
          async () => {},
        )),
      });
    } else if (msg.type === "prune") {
      const reply = deletion(msg.id, () => pruneLogs(opened(), msg.before, msg.limit));
      held(holdPrune);
      postMessage(reply);
    } else if (msg.type === "pruneRollups") {
      postMessage(deletion(msg.id, () => pruneRollups(opened(), msg.before)));
    } else if (msg.type === "close") {
      db?.close();
      db = null;
      postMessage({ id: 0, closed: true });
    }
  } catch (err) {
    postMessage({ id: 0, fatal: err instanceof Error ? err.message : String(err) });
  }
};

/** Builds the rollups migration 4 left owed, a chunk per transaction, letting batches in between. */
async function backfill(open: Database) {
  try {
    while (db === open && backfillStep(open) > 0) await new Promise((r) => setTimeout(r, 0));
  } catch (err) {
    logger.error("rollup backfill failed", { error: err instanceof Error ? err.message : String(err) });
  }
}
