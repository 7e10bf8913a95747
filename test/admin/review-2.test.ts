import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importLlmio } from "../../src/modules/admin/transfer/llmio";
import { migrate } from "../../src/storage/db";
import { MIGRATIONS } from "../../src/storage/migrations";
import { makeApp } from "../helpers/app";
import { adminDeps } from "./support";

describe("client key ids", () => {
  it("are never reused after the newest key is deleted", async () => {
    const { api } = makeApp();
    const a = await api.api.keys.post({ name: "a" });
    const b = await api.api.keys.post({ name: "b" });
    const bId = b.data?.id as number;
    expect(bId).toBeGreaterThan(a.data?.id as number);
    await api.api.keys({ id: bId }).delete();
    const c = await api.api.keys.post({ name: "c" });
    expect(c.data?.id as number).toBeGreaterThan(bId);
  });

  it("skip ids that request records already name", async () => {
    // A database from before ids were kept unique (schema version 1): key 5 was deleted, its records remain.
    const db = new Database(":memory:", { strict: true });
    migrate(db, MIGRATIONS.slice(0, 1));
    db.run(
      "INSERT INTO request_logs (trace_id, model, style, status, key_id, created_at) VALUES ('t', 'm', 'openai', 'success', 5, 0)",
    );
    migrate(db);
    const { api } = makeApp({ db });
    const c = await api.api.keys.post({ name: "c" });
    expect(c.data?.id).toBe(6);
  });
});

describe("POST /api/import?mode=replace", () => {
  it("keeps a provider's stored key when the document's key is masked (an export without secrets)", async () => {
    const { api, db } = makeApp();
    await api.api.providers.post({
      name: "p",
      type: "openai",
      base_url: "https://p.example",
      api_key: "sk-provider-secret-0123456789",
    });
    const doc = (await api.api.export.get()).data as NonNullable<
      Awaited<ReturnType<typeof api.api.export.get>>["data"]
    >;
    expect(doc.providers[0]?.api_key).not.toBe("sk-provider-secret-0123456789");
    const res = await api.api.import.post(doc as never, { query: { mode: "replace" } });
    expect(res.status).toBe(200);
    expect(db.query("SELECT api_key FROM providers WHERE name = 'p'").get()).toEqual({
      api_key: "sk-provider-secret-0123456789",
    });
  });
});

/** A minimal original llmio database (providers, models, links, one client key in the clear). */
function llmioDatabase(): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "review2-orig-"));
  const path = join(dir, "llmio.db");
  const db = new Database(path, { create: true });
  db.exec(
    "CREATE TABLE providers (id integer PRIMARY KEY, name text, type text, config text, console text, proxy text, error_matcher text);" +
      "CREATE TABLE models (id integer PRIMARY KEY, name text);" +
      "CREATE TABLE model_with_providers (id integer PRIMARY KEY, model_id integer, provider_id integer, provider_model text);" +
      "CREATE TABLE auth_keys (id integer PRIMARY KEY, name text, key text);",
  );
  db.run(
    `INSERT INTO providers VALUES (1, 'p', 'openai', '{"base_url":"https://p.example","api_key":"sk-provider-in-clear"}', '', '', '')`,
  );
  db.run("INSERT INTO models VALUES (1, 'm')");
  db.run("INSERT INTO model_with_providers VALUES (1, 1, 1, 'up')");
  db.run("INSERT INTO auth_keys VALUES (1, 'team', 'sk-client-in-clear-000000')");
  db.close();
  const bytes = new Uint8Array(readFileSync(path));
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}

describe("POST /api/import/llmio temporary file", () => {
  it("is readable by this user only while it holds the upload's secrets", async () => {
    const { deps } = makeApp();
    const tmp = mkdtempSync(join(tmpdir(), "review2-tmp-"));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    const modes: string[] = [];
    try {
      // Called while the upload is still on disk (the routing table is rebuilt at the end of the write).
      const d = adminDeps(deps, () => {
        for (const name of readdirSync(tmp)) modes.push((statSync(join(tmp, name)).mode & 0o777).toString(8));
      });
      const result = await importLlmio(d, llmioDatabase());
      expect(result.keys.created).toBe(1);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(modes.length).toBeGreaterThan(0);
    for (const mode of modes) expect(Number.parseInt(mode, 8) & 0o077).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
    rmSync(tmp, { recursive: true, force: true });
  });
});

describe("POST /api/import/llmio again", () => {
  it("keeps the limits and budget set on an imported key since (the original has none to say otherwise)", async () => {
    const { deps, api } = makeApp();
    const d = adminDeps(deps);
    await importLlmio(d, llmioDatabase());
    const key = (await api.api.keys.get()).data?.[0];
    const id = key?.id as number;
    await api.api.keys({ id }).put({ rpm_limit: 3, tpm_limit: 100, budget: 5, currency: "CNY" });
    const again = await importLlmio(d, llmioDatabase());
    expect(again.keys).toEqual({ created: 0, updated: 1 });
    expect((await api.api.keys({ id }).get()).data).toMatchObject({
      rpm_limit: 3,
      tpm_limit: 100,
      budget: 5,
      currency: "CNY",
    });
  });
});
