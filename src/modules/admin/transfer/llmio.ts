import { Database } from "bun:sqlite";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayError } from "../../../core/errors";
import type { AdminDeps } from "../shared";
import { applyPlan } from "./apply";
import { mapLlmio } from "./llmio-mapping";
import type { ImportResult } from "./model";

/** The largest original llmio database accepted (the server's own body limit may be lower). */
export const LLMIO_UPLOAD_LIMIT = 64 * 1024 * 1024;

const tooLarge = () =>
  new GatewayError(413, "payload_too_large", `the database must be at most ${LLMIO_UPLOAD_LIMIT >> 20} MiB`);

/** Reads a raw request body, refusing it as soon as it passes the limit. */
export async function readUpload(request: Request, limit = LLMIO_UPLOAD_LIMIT): Promise<Uint8Array> {
  if (Number(request.headers.get("content-length") ?? 0) > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

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
