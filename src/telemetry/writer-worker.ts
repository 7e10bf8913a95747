/// <reference lib="webworker" />
// The request-record writer thread: opens its own connection to the database file and inserts the
// batches the main thread sends as JSON, answering with what it wrote.
import type { Database } from "bun:sqlite";
import { createLogger } from "../core/logger";
import { openDatabase } from "../storage/db";
import { insertRecords } from "../storage/request-logs";
import { backfillStep } from "../storage/rollups";
import type { RequestRecord } from "../storage/request-record";
import { writeInChunks } from "./store";

type Message =
  | { type: "open"; path: string }
  | { type: "write"; id: number; json: string }
  | { type: "close" };

const logger = createLogger("error");
let db: Database | null = null;

self.onmessage = async (e: MessageEvent<Message>) => {
  const msg = e.data;
  try {
    if (msg.type === "open") {
      db = openDatabase(msg.path);
      postMessage({ id: 0, ready: true });
      void backfill(db);
    } else if (msg.type === "write") {
      if (!db) throw new Error("database not open");
      const records = JSON.parse(msg.json) as RequestRecord[];
      // Nothing else runs on this thread, so one chunk may follow the next without yielding.
      postMessage({
        id: msg.id,
        ...(await writeInChunks(
          (chunk) => insertRecords(db as Database, chunk),
          records,
          500,
          logger,
          async () => {},
        )),
      });
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
