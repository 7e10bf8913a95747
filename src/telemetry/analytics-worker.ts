/// <reference lib="webworker" />
// The analytics thread: a read-only connection of its own to the database file, running the console's
// reports (analytics-ops.ts) one at a time, so none of them ever holds up the thread that proxies.
import { Database } from "bun:sqlite";
import { type AnalyticsOp, analyticsOps } from "./analytics-ops";
import { yieldToProxy } from "./thread-priority";

type Message =
  | { type: "open"; path: string; testHooks: boolean }
  | { type: "run"; id: number; op: AnalyticsOp; args: unknown[] }
  | { type: "hold"; id: number; flags: Int32Array };

let db: Database | null = null;
let testHooks = false;

yieldToProxy();

const run = (op: AnalyticsOp, args: unknown[]) => {
  if (!db) throw new Error("analytics database not open");
  const fn = analyticsOps[op] as (db: Database, ...args: unknown[]) => unknown;
  if (typeof fn !== "function") throw new Error(`unknown analytics op ${op}`);
  return fn(db, ...args);
};

self.onmessage = async (e: MessageEvent<Message>) => {
  const msg = e.data;
  if (msg.type === "open") {
    try {
      db = new Database(msg.path, { readonly: true, strict: true });
      db.exec("PRAGMA busy_timeout = 5000");
      testHooks = msg.testHooks;
      postMessage({ id: 0, ready: true });
    } catch (err) {
      postMessage({ id: 0, fatal: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  try {
    if (msg.type === "hold") {
      // Test hook: stands for a report that runs until the test lets it go (flags[0] = 1 while held).
      if (!testHooks) throw new Error("test hooks are off");
      Atomics.store(msg.flags, 0, 1);
      while (Atomics.load(msg.flags, 1) === 0) Atomics.wait(msg.flags, 1, 0, 50);
      Atomics.store(msg.flags, 0, 2);
      postMessage({ id: msg.id, ok: true, value: null });
    } else {
      postMessage({ id: msg.id, ok: true, value: await run(msg.op, msg.args) });
    }
  } catch (err) {
    postMessage({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
};
