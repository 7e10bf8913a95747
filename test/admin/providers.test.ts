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

describe("admin providers: stored key and links", () => {
  const secretOf = (db: ReturnType<typeof makeApp>["db"]) =>
    (db.query("SELECT api_key FROM providers").get() as { api_key: string }).api_key;

  it("PUT without api_key keeps the stored key", async () => {
    const { api, db } = makeApp();
    const id = (await api.api.providers.post(base)).data?.id as number;
    const res = await api.api.providers({ id }).put({ enabled: false });
    expect(res.status).toBe(200);
    expect(secretOf(db)).toBe(base.api_key);
  });

  it("PUT sending back the masked key it was shown keeps the stored key", async () => {
    const { api, db } = makeApp();
    const created = await api.api.providers.post(base);
    const id = created.data?.id as number;
    const shown = created.data?.api_key as string;
    expect(shown).toBe("sk-…7890");
    await api.api.providers({ id }).put({ api_key: shown, name: "renamed" });
    expect(secretOf(db)).toBe(base.api_key);
  });

  it("PUT with a new api_key replaces it and shows it masked", async () => {
    const { api, db } = makeApp();
    const id = (await api.api.providers.post(base)).data?.id as number;
    const res = await api.api.providers({ id }).put({ api_key: "sk-another-key-abcdef" });
    expect(res.data?.api_key).toBe("sk-…cdef");
    expect(secretOf(db)).toBe("sk-another-key-abcdef");
  });

  it("GET by id masks the key and 404s an unknown id", async () => {
    const { api } = makeApp();
    const id = (await api.api.providers.post(base)).data?.id as number;
    const res = await api.api.providers({ id }).get();
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ name: base.name, api_key: "sk-…7890", enabled: true, headers: {} });
    expect((await api.api.providers({ id: 999 }).get()).status).toBe(404);
  });

  it("stores the base URL without trailing slashes and clears headers with null", async () => {
    const { api } = makeApp();
    const created = await api.api.providers.post({
      ...base,
      base_url: "https://api.example.com/v1/",
      headers: { "x-org": "o" },
    });
    expect(created.data).toMatchObject({ base_url: "https://api.example.com/v1", headers: { "x-org": "o" } });
    const id = created.data?.id as number;
    const res = await api.api.providers({ id }).put({ headers: null });
    expect(res.data?.headers).toEqual({});
  });

  it.each([
    ["a proxy_url with another scheme", { proxy_url: "ftp://proxy" }, "proxy_url"],
    ["a console_url that is not a URL", { console_url: "console" }, "console_url"],
    ["an invalid error_matcher", { error_matcher: "(" }, "error_matcher"],
    ["a blank name", { name: "  " }, "name"],
  ])("rejects %s with 422 naming the field", async (_what, patch, field) => {
    const { api } = makeApp();
    const res = await api.api.providers.post({ ...base, ...patch });
    expect(res.status).toBe(422);
    expect((res.error?.value as { error: { field: string } }).error.field).toBe(field);
  });

  it("PUT renaming onto another provider's name answers 409", async () => {
    const { api } = makeApp();
    await api.api.providers.post(base);
    const id = (await api.api.providers.post({ ...base, name: "other" })).data?.id as number;
    const res = await api.api.providers({ id }).put({ name: base.name });
    expect(res.status).toBe(409);
    expect((await api.api.providers({ id }).get()).data?.name).toBe("other");
  });

  it("DELETE removes the provider and every link to it, and leaves the model", async () => {
    const { api } = makeApp();
    const pid = (await api.api.providers.post(base)).data?.id as number;
    const keep = (await api.api.providers.post({ ...base, name: "keep" })).data?.id as number;
    const mid = (await api.api.models.post({ name: "m" })).data?.id as number;
    await api.api["model-providers"].post({ model_id: mid, provider_id: pid, provider_model: "a" });
    await api.api["model-providers"].post({ model_id: mid, provider_id: pid, provider_model: "b" });
    await api.api["model-providers"].post({ model_id: mid, provider_id: keep, provider_model: "c" });
    const res = await api.api.providers({ id: pid }).delete();
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ ok: true });
    const links = await api.api["model-providers"].get({ query: { model_id: mid } });
    expect(links.data?.map((l) => l.provider_model)).toEqual(["c"]);
    expect((await api.api.models({ id: mid }).get()).status).toBe(200);
    expect((await api.api.providers({ id: pid }).get()).status).toBe(404);
  });
});
