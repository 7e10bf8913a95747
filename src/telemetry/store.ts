import type { Database } from "bun:sqlite";
import type { Logger } from "../core/logger";
import { StorageUnavailable } from "../storage/errors";
import { backfillStep } from "../storage/rollups";
import type { RecordsRepo } from "../storage/storage";
import type { RequestRecord } from "../storage/request-record";
import { workerEntry } from "./worker-entry";

/** The outcome of writing one batch. */
export interface WriteResult {
  written: number;
  failed: number;
  /** Records not written because the database is unreachable: the recorder keeps them for later. */
  retry?: RequestRecord[];
}

/** Where the recorder's batches go. */
export interface RecordStore {
  write(records: RequestRecord[]): Promise<WriteResult>;
  /** Finishes outstanding writes and releases the store. */
  close(): Promise<void>;
}

/**
 * Retention's deletes of old records and rollups, made where the batches are written: on the writer thread
 * for a database file, so a large delete never stalls the thread that proxies.
 */
export type RecordPruner = Pick<RecordsRepo, "prune" | "pruneRollups">;

const nextTick = () => new Promise((r) => setImmediate(r));

/** Writes `records` in transactions of `chunkSize`, calling `between` after each chunk but the last. */
export async function writeInChunks(
  insert: (records: RequestRecord[]) => unknown,
  records: RequestRecord[],
  chunkSize: number,
  logger: Logger,
  between: () => Promise<unknown> = nextTick,
): Promise<WriteResult> {
  const result = { written: 0, failed: 0 };
  for (let i = 0; i < records.length; i += chunkSize) {
    const chunk = records.slice(i, i + chunkSize);
    try {
      await insert(chunk);
      result.written += chunk.length;
    } catch (err) {
      if (err instanceof StorageUnavailable) {
        // Nothing is wrong with these records: they wait until the database is back.
        return { ...result, retry: records.slice(i) };
      }
      result.failed += chunk.length;
      logger.error("request log write failed", { error: String(err), records: chunk.length });
    }
    if (i + chunkSize < records.length) await between();
  }
  return result;
}

/** Runs the rollup backfill on the main thread, a small chunk per turn of the event loop (in-memory databases). */
export async function backfillInline(db: Database, logger: Logger): Promise<void> {
  try {
    while (backfillStep(db, 500) > 0) await nextTick();
  } catch (err) {
    logger.error("rollup backfill failed", { error: String(err) });
  }
}

/**
 * Writes on the main thread, in small transactions that yield to the event loop between them
 * (used for in-memory databases, which another thread cannot open, and as the fallback).
 */
export function inlineStore(repo: RecordsRepo, logger: Logger, chunkSize = 200): RecordStore & RecordPruner {
  return {
    write: (records) => writeInChunks((chunk) => repo.insert(chunk), records, chunkSize, logger),
    prune: (before, limit) => repo.prune(before, limit),
    pruneRollups: (before) => repo.pruneRollups(before),
    close: async () => {},
  };
}

type Reply =
  | { id: number; written: number; failed: number }
  | { id: number; deleted: number }
  | { id: number; error: string }
  | { id: 0; ready: true }
  | { id: 0; closed: true }
  | { id: 0; fatal: string };

export interface WorkerStoreOptions {
  /** Start the thread at once (it has work of its own: the rollup backfill). */
  eager?: boolean;
  /**
   * Test hook: the first prune holds the thread after its delete, as a long delete would, until flags[1] is
   * set (flags[0]: 1 while held, 2 after).
   */
  holdPrune?: Int32Array;
}

/**
 * Writes from a Worker with its own connection to the same SQLite file (WAL lets it write while the
 * main thread reads). The main thread only serialises a batch to one JSON string, so a flush costs it
 * about a microsecond per record instead of the insert itself, and never stalls requests. Retention's
 * deletes run there too, one bounded chunk per message, so record batches get their turn in between.
 * When the worker cannot start, writes and deletes fall back to the main thread.
 */
export function workerStore(
  repo: RecordsRepo,
  path: string,
  logger: Logger,
  opts: WorkerStoreOptions = {},
): RecordStore & RecordPruner {
  const fallback = inlineStore(repo, logger);
  // null: the worker failed before it answered.
  const pending = new Map<number, (reply: Reply | null) => void>();
  let onClosed: (() => void) | null = null;
  let broken = false;
  let seq = 0;
  let worker: Worker | null = null;
  let closing = false;
  const fail = (why: string) => {
    if (broken) return;
    broken = true;
    logger.error("request log worker failed; writing on the main thread", { error: why });
    for (const resolve of pending.values()) resolve(null);
    pending.clear();
  };
  // Started with the first batch: a gateway that has recorded nothing yet carries no second thread.
  const started = (): Worker => {
    if (worker) return worker;
    const w = new Worker(workerEntry("writer-worker.ts"));
    // It must never keep the process alive on its own (Bun's Worker has unref; the DOM type does not).
    (w as unknown as { unref(): void }).unref();
    w.addEventListener("message", (e: MessageEvent<Reply>) => {
      const reply = e.data;
      if ("fatal" in reply) return fail(reply.fatal);
      if ("ready" in reply) return;
      if ("closed" in reply) return onClosed?.();
      pending.get(reply.id)?.(reply);
      pending.delete(reply.id);
    });
    w.addEventListener("error", (e) => fail(e.message));
    // A worker that exits on its own (not through close()) would leave its pending batches unanswered.
    w.addEventListener("close", () => {
      if (!closing) fail("the writer thread exited");
    });
    w.postMessage({ type: "open", path, holdPrune: opts.holdPrune });
    worker = w;
    return w;
  };
  const ask = (message: Record<string, unknown>) =>
    new Promise<Reply | null>((resolve) => {
      const id = ++seq;
      pending.set(id, resolve);
      started().postMessage({ ...message, id });
    });
  /** A delete on the thread; on the main thread once the thread has failed; skipped during shutdown. */
  const deletion = async (message: Record<string, unknown>, inline: () => Promise<number>) => {
    if (closing) return 0;
    const reply = broken ? null : await ask(message);
    if (reply === null) return inline();
    if ("error" in reply) throw new Error(reply.error);
    return "deleted" in reply ? reply.deleted : 0;
  };

  // Started at once when it has work of its own (the rollup backfill).
  if (opts.eager) started();

  return {
    async write(records) {
      // After close() (a record that arrives during shutdown), the main thread writes it itself.
      if (broken || closing) return fallback.write(records);
      const reply = await ask({ type: "write", json: JSON.stringify(records) });
      // A batch the worker never answered for (it died) is written here instead.
      return reply !== null && "written" in reply
        ? { written: reply.written, failed: reply.failed }
        : fallback.write(records);
    },
    prune: (before, limit) => deletion({ type: "prune", before, limit }, () => fallback.prune(before, limit)),
    pruneRollups: (before) => deletion({ type: "pruneRollups", before }, () => fallback.pruneRollups(before)),
    async close() {
      const w = worker;
      closing = true;
      if (!w) return;
      if (broken) return void w.terminate();
      // The worker closes its connection (checkpointing its WAL share) before it is stopped.
      await new Promise<void>((resolve) => {
        onClosed = resolve;
        w.postMessage({ type: "close" });
        setTimeout(resolve, 2000).unref();
      });
      w.terminate();
    },
  };
}
