import { describe, expect, it } from "bun:test";
import { makeApp } from "../helpers/app";

const SECRET = "Bearer sk-relay-secret-0123456789";
const PROXY = "http://user:pw-secret-42@proxy.example:8080/";

async function setup() {
  const ctx = makeApp();
  const p = await ctx.api.api.providers.post({
    name: "relay",
    type: "openai",
    base_url: "https://relay.example",
    api_key: "sk-provider-0123456789",
    headers: { Authorization: SECRET, "X-Team": "blue" },
    proxy_url: PROXY,
  });
  const m = await ctx.api.api.models.post({ name: "m" });
  const l = await ctx.api.api["model-providers"].post({
    model_id: m.data!.id,
    provider_id: p.data!.id,
    provider_model: "up",
    headers: { "x-api-key": "link-secret-abcdefgh", "x-trace": "on" },
  });
  return { ...ctx, providerId: p.data!.id, linkId: l.data!.id };
}

const stored = (db: ReturnType<typeof makeApp>["db"], sql: string) =>
  db.query(sql).get() as Record<string, string>;

describe("credentials in custom headers and proxy URLs", () => {
  it("are masked on every read; other headers are shown as they are", async () => {
    const { api, providerId, linkId } = await setup();
    const p = (await api.api.providers({ id: providerId }).get()).data!;
    expect(p.headers["X-Team"]).toBe("blue");
    expect(p.headers.Authorization).not.toContain("relay-secret");
    expect(p.proxy_url).toBe("http://user:***@proxy.example:8080/");
    const l = (await api.api["model-providers"]({ id: linkId }).get()).data!;
    expect(l.headers["x-trace"]).toBe("on");
    expect(l.headers["x-api-key"]).not.toContain("link-secret");
    const everything = JSON.stringify([
      (await api.api.providers.get()).data,
      (await api.api["model-providers"].get()).data,
    ]);
    expect(everything).not.toMatch(/relay-secret|pw-secret|link-secret/);
  });

  it("keep their stored values when a form sends the masked values back", async () => {
    const { api, db, providerId, linkId } = await setup();
    const p = (await api.api.providers({ id: providerId }).get()).data!;
    await api.api
      .providers({ id: providerId })
      .put({ name: "relay-2", headers: p.headers, proxy_url: p.proxy_url });
    const row = stored(db, `SELECT headers, proxy_url FROM providers WHERE id = ${providerId}`);
    expect(JSON.parse(row.headers as string).Authorization).toBe(SECRET);
    expect(row.proxy_url).toBe(PROXY);
    const l = (await api.api["model-providers"]({ id: linkId }).get()).data!;
    await api.api["model-providers"]({ id: linkId }).put({ weight: 3, headers: l.headers });
    expect(
      JSON.parse(stored(db, `SELECT headers FROM model_providers WHERE id = ${linkId}`).headers as string)[
        "x-api-key"
      ],
    ).toBe("link-secret-abcdefgh");
  });

  it("are replaced when a new value is sent", async () => {
    const { api, db, providerId } = await setup();
    await api.api
      .providers({ id: providerId })
      .put({ headers: { Authorization: "Bearer new-one-0123456789" } });
    expect(
      JSON.parse(stored(db, `SELECT headers FROM providers WHERE id = ${providerId}`).headers as string),
    ).toEqual({
      Authorization: "Bearer new-one-0123456789",
    });
  });

  it("are masked in an export unless secrets are asked for", async () => {
    const { api } = await setup();
    const masked = JSON.stringify((await api.api.export.get()).data);
    expect(masked).not.toMatch(/relay-secret|pw-secret|link-secret/);
    const full = JSON.stringify((await api.api.export.get({ query: { include_secrets: true } })).data);
    expect(full).toContain("relay-secret");
    expect(full).toContain("pw-secret");
    expect(full).toContain("link-secret");
  });
});

describe("credentials in a provider's base_url", () => {
  const BASE = "https://relay-user:base-pw-secret@relay.example/v1";

  async function withBaseUrl(base_url = BASE) {
    const ctx = makeApp();
    const p = await ctx.api.api.providers.post({ name: "relay", type: "openai", base_url, api_key: "k" });
    expect(p.status).toBe(201);
    return { ...ctx, id: p.data!.id };
  }

  it("are masked, user and password, in every read and in an export without secrets", async () => {
    const { api, id } = await withBaseUrl();
    const p = (await api.api.providers({ id }).get()).data!;
    expect(p.base_url).toBe("https://***:***@relay.example/v1");
    const everything = JSON.stringify([
      (await api.api.providers.get()).data,
      (await api.api.providers.post({ name: "other", type: "openai", base_url: BASE, api_key: "k" })).data,
      (await api.api.providers({ id }).put({ enabled: true })).data,
      (await api.api.export.get()).data,
    ]);
    expect(everything).not.toMatch(/relay-user|base-pw-secret/);
    const full = JSON.stringify((await api.api.export.get({ query: { include_secrets: true } })).data);
    expect(full).toContain(BASE);
  });

  it("a URL with a user only (a key in the user part) is masked too; one without is shown as typed", async () => {
    const { api, id } = await withBaseUrl("https://sk-in-user-part@relay.example");
    expect((await api.api.providers({ id }).get()).data!.base_url).toBe("https://***@relay.example");
    const plain = await api.api.providers.post({
      name: "plain",
      type: "openai",
      base_url: "https://plain.example/v1",
      api_key: "k",
    });
    expect(plain.data!.base_url).toBe("https://plain.example/v1");
  });

  it("keep the stored credentials when the masked URL is sent back, even with a new path", async () => {
    const { api, db, id } = await withBaseUrl();
    const shown = (await api.api.providers({ id }).get()).data!.base_url;
    await api.api.providers({ id }).put({ name: "relay-2", base_url: shown });
    expect(stored(db, `SELECT base_url FROM providers WHERE id = ${id}`).base_url).toBe(BASE);
    await api.api.providers({ id }).put({ base_url: shown.replace("/v1", "/v2") });
    expect(stored(db, `SELECT base_url FROM providers WHERE id = ${id}`).base_url).toBe(
      BASE.replace("/v1", "/v2"),
    );
    await api.api.providers({ id }).put({ base_url: "https://new:pw@relay.example/v1" });
    expect(stored(db, `SELECT base_url FROM providers WHERE id = ${id}`).base_url).toBe(
      "https://new:pw@relay.example/v1",
    );
  });

  it("keep the stored credentials when an export without secrets is imported back, merge or replace", async () => {
    const { api, db } = await withBaseUrl();
    const doc = (await api.api.export.get()).data!;
    for (const mode of ["merge", "replace"] as const) {
      const res = await api.api.import.post(doc, { query: { mode } });
      expect(res.status).toBe(200);
      expect(stored(db, "SELECT base_url FROM providers WHERE name = 'relay'").base_url).toBe(BASE);
    }
  });
});
