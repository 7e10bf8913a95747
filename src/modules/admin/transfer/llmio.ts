import { Database } from "bun:sqlite";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayError } from "../../../core/errors";
import { readBodyWithin } from "../../../http/admin-body";
import type { AdminDeps } from "../shared";
import { applyPlan } from "./apply";
import { mapLlmio } from "./llmio-mapping";
import type { ImportResult } from "./model";

/** The largest import accepted, an original llmio database or an export document (admin bodies: 1 MiB). */
export const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

const tooLarge = (limit: number) =>
  new GatewayError(413, "payload_too_large", `the database must be at most ${limit >> 20} MiB`);

/** Reads the uploaded database, refusing it as soon as it passes the limit. */
export const readUpload = (request: Request, limit = IMPORT_BODY_LIMIT): Promise<Uint8Array> =>
  readBodyWithin(request, limit, tooLarge);

const SQLITE_MAGIC = "SQLite format 3\u0000";

/** Maps the database, turning a file SQLite cannot read into a 422 rather than a 500. */
function readPlan(source: Database) {
  try {
    return mapLlmio(source);
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new GatewayError(422, "validation", `the database cannot be read: ${message}`, "body");
  }
}

/**
 * Imports an original llmio (Go) SQLite database: its providers, models, links and client keys are
 * merged by name (keys by their secret) in one transaction; what cannot be carried over is listed
 * in `skipped`. The upload lives in a temporary file only while it is read.
 */
export async function importLlmio(d: AdminDeps, bytes: Uint8Array): Promise<ImportResult> {
  if (new TextDecoder().decode(bytes.subarray(0, 16)) !== SQLITE_MAGIC)
    throw new GatewayError(422, "validation", "the body is not an SQLite database", "body");
  // A directory of our own (mode 0700), the file 0600: the upload holds provider and client keys in the clear.
  const dir = await mkdtemp(join(tmpdir(), "llmio-import-"));
  let source: Database | undefined;
  try {
    const path = join(dir, "llmio.db");
    await writeFile(path, bytes, { mode: 0o600, flag: "wx" });
    source = new Database(path, { readonly: true });
    return await applyPlan(d, readPlan(source), "merge");
  } finally {
    source?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
