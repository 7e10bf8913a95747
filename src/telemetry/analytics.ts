import type { Database } from "bun:sqlite";
import { GatewayError } from "../core/errors";
import type { Logger } from "../core/logger";
import { type AnalyticsOp, analyticsOps, type OpArgs, type OpResult } from "./analytics-ops";
import { workerEntry } from "./worker-entry";

/** Runs the console's reports (analytics-ops.ts) somewhere that cannot stall proxied requests. */
export interface AnalyticsReader {
  run<K extends AnalyticsOp>(op: K, ...args: OpArgs<K>): Promise<OpResult<K>>;
  /** Test hook of the thread reader: occupies it until `flags[1]` is set (flags[0]: 1 while held, 2 after). */
  hold?(flags: Int32Array): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs reports on the calling thread: only for in-memory databases, which no other thread can open
 * (tests), and as the fallback when the analytics thread cannot open the database.
 */
export function inlineReader(db: Database): AnalyticsReader {
  return {
    run: async (op, ...args) => (analyticsOps[op] as (db: Database, ...a: unknown[]) => never)(db, ...args),
    close: async () => {},
  };
}

/** A reader made on the first report (its code loads then, not at start-up). */
export function deferredReader(make: () => Promise<AnalyticsReader>): AnalyticsReader {
  let reader: Promise<AnalyticsReader> | undefined;
  return {
    run: async <K extends AnalyticsOp>(op: K, ...args: OpArgs<K>): Promise<OpResult<K>> =>
      (await (reader ??= make())).run(op, ...args),
    close: async () => {
      if (reader) await (await reader).close();
    },
  };
}

export interface WorkerReaderOptions {
  /** A report that takes longer answers 504 (and the thread is replaced). */
  timeoutMs: number;
  /** Reports waiting at most; past it a new one answers 503. */
  maxPending: number;
  /** Enables `hold` (tests only). */
  testHooks?: boolean;
}

type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string }
  | { id: 0; ready: true }
  | { id: 0; fatal: string };

interface Pending {
  resolve: (v: never) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

/** A thread that has not said it is ready by then is given up. */
const STARTUP_MS = 10_000;

const timedOut = (ms: number) =>
  new GatewayError(504, "unavailable", `the report took longer than ${ms / 1000} s; try a shorter window`);
const busy = () => new GatewayError(503, "unavailable", "too many reports are waiting; try again shortly");
const unavailable = () => new GatewayError(503, "unavailable", "analytics unavailable; try again");

/**
 * Runs reports on a thread of their own, over a read-only connection to the database file (WAL lets it
 * read while the writer thread writes), one at a time. A report past `timeoutMs` (counted from when the
 * thread is up) answers 504; as SQLite cannot be interrupted from here, the thread it is stuck on is
 * dropped (it ends when its query does), the reports queued behind it answer 504 too, and the next report
 * starts a fresh thread. When the thread cannot open the database, reports run on the main thread.
 */
export function workerReader(
  db: Database,
  path: string,
  logger: Logger,
  opts: WorkerReaderOptions,
): AnalyticsReader {
  const fallback = inlineReader(db);
  const pending = new Map<number, Pending>();
  let worker: Worker | null = null;
  let ready: Promise<void> = Promise.resolve();
  let broken = false;
  let seq = 0;

  const settleAll = (err: Error) => {
    for (const p of pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(err);
    }
    pending.clear();
  };
  const drop = (w: Worker) => {
    if (worker === w) worker = null;
    w.terminate();
  };

  const started = (): Worker => {
    if (worker) return worker;
    const w = new Worker(workerEntry("analytics-worker.ts"));
    // It must never keep the process alive on its own (Bun's Worker has unref; the DOM type does not).
    (w as unknown as { unref(): void }).unref();
    let up: () => void = () => {};
    ready = new Promise<void>((resolve) => {
      up = resolve;
    });
    const fail = (message: string, err: Error) => {
      clearTimeout(startup);
      logger.error(message);
      if (worker === w) settleAll(err);
      drop(w);
      up();
    };
    const startup = setTimeout(
      () => fail("analytics thread did not start in time", unavailable()),
      STARTUP_MS,
    );
    startup.unref?.();
    w.addEventListener("message", (e: MessageEvent<Reply>) => {
      const reply = e.data;
      if ("ready" in reply) {
        clearTimeout(startup);
        return up();
      }
      if ("fatal" in reply) {
        broken = true;
        return fail(
          `analytics thread cannot open the database (${reply.fatal}); reports run on the main thread`,
          unavailable(),
        );
      }
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (p.timer) clearTimeout(p.timer);
      if (reply.ok) p.resolve(reply.value as never);
      else p.reject(new Error(reply.error));
    });
    w.addEventListener("error", (e) => fail(`analytics thread failed: ${e.message}`, unavailable()));
    w.postMessage({ type: "open", path, testHooks: opts.testHooks === true });
    worker = w;
    return w;
  };

  const send = <T>(message: Record<string, unknown>): Promise<T> => {
    if (pending.size >= opts.maxPending) return Promise.reject(busy());
    const id = ++seq;
    const w = started();
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { resolve: resolve as (v: never) => void, reject, timer: null };
      pending.set(id, entry);
      w.postMessage({ ...message, id });
      void ready.then(() => {
        if (!pending.has(id)) return;
        entry.timer = setTimeout(() => {
          // Every report queued behind the stuck one would wait as long: all of them answer now.
          settleAll(timedOut(opts.timeoutMs));
          drop(w);
        }, opts.timeoutMs);
        entry.timer.unref?.();
      });
    });
  };

  return {
    run: (op, ...args) => (broken ? fallback.run(op, ...args) : send({ type: "run", op, args })),
    hold: (flags) => send({ type: "hold", flags }),
    async close() {
      settleAll(new GatewayError(503, "unavailable", "shutting down"));
      if (worker) drop(worker);
    },
  };
}
