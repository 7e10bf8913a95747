import { describe, expect, it } from "bun:test";
import { makeApp } from "../helpers/app";

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
    const { api, db } = makeApp();
    // A database from before ids were kept unique: records of a deleted key 5.
    db.run(
      "INSERT INTO request_logs (trace_id, model, style, status, key_id, created_at) VALUES ('t', 'm', 'openai', 'success', 5, 0)",
    );
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
