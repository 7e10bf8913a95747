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
