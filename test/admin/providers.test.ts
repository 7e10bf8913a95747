import { describe, expect, it } from "bun:test";
import { makeApp } from "../helpers/app";

const base = {
  name: "openai-main",
  type: "openai" as const,
  base_url: "https://api.example.com",
  api_key: "sk-secret-1234567890",
};

describe("admin providers", () => {
  it("rejects a request without the admin token with 401", async () => {
    const { anon } = makeApp();
    const res = await anon.api.providers.get();
    expect(res.status).toBe(401);
  });

  it("creates a provider and masks its key on every read", async () => {
    const { api } = makeApp();
    const created = await api.api.providers.post(base);
    expect(created.status).toBe(201);
    expect(created.data?.api_key).not.toContain("secret");
    const list = await api.api.providers.get();
    expect(list.data?.[0]?.name).toBe("openai-main");
    expect(JSON.stringify(list.data)).not.toContain("sk-secret-1234567890");
  });

  it("answers 409 on a duplicate name and 422 naming a bad field", async () => {
    const { api } = makeApp();
    await api.api.providers.post(base);
    const dup = await api.api.providers.post(base);
    expect(dup.status).toBe(409);
    const bad = await api.api.providers.post({ ...base, name: "x", base_url: "not a url" });
    expect(bad.status).toBe(422);
    expect((bad.error?.value as { error: { field: string } }).error.field).toBe("base_url");
    const badType = await api.api.providers.post({ ...base, name: "y", type: "nope" as "openai" });
    expect(badType.status).toBe(422);
    expect((badType.error?.value as { error: { field: string } }).error.field).toBe("type");
  });

  it("updates a subset of fields, clears with null, and 404s an unknown id", async () => {
    const { api } = makeApp();
    const created = await api.api.providers.post({ ...base, console_url: "https://console.example.com" });
    const id = created.data?.id as number;
    const upd = await api.api.providers({ id }).put({ enabled: false, console_url: null });
    expect(upd.status).toBe(200);
    expect(upd.data?.enabled).toBe(false);
    expect(upd.data?.console_url).toBeNull();
    expect(upd.data?.base_url).toBe(base.base_url);
    expect((await api.api.providers({ id: 999 }).put({ enabled: true })).status).toBe(404);
    expect((await api.api.providers({ id: 999 }).delete()).status).toBe(404);
  });
});
