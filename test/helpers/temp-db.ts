import { afterEach } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Database, openDatabase } from "../../src/storage/db";

/**
 * Database files (real migrations, WAL) each in a temporary folder of its own, removed after each test. Call at
 * a test file's top level; the returned function opens a new one.
 */
export function tempDatabases(prefix: string): () => { db: Database; path: string } {
  const dirs: string[] = [];
  afterEach(() => {
    while (dirs.length) rmSync(dirs.pop() as string, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    const path = join(dir, "llmio.db");
    return { db: openDatabase(path), path };
  };
}
