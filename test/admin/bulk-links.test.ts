import { describe, expect, it } from "bun:test";
import { makeApp } from "../helpers/app";
import { expectError } from "./support";

async function withProvider() {
  const ctx = makeApp();
  const p = await ctx.api.api.providers.post({
    name: "up",
    type: "openai",
    base_url: "http://127.0.0.1:9",
    api_key: "sk-x",
  });
  return { ...ctx, providerId: p.data?.id as number };
}

describe("POST /api/model-providers/bulk", () => {
  it("creates a public model and a link for each picked upstream model, with prefix and suffix", async () => {
    const { api, providerId, app } = await withProvider();
    const res = await api.api["model-providers"].bulk.post({
      provider_id: providerId,
      provider_models: ["gpt-a", "gpt-b", "gpt-a"],
      prefix: "oa/",
      suffix: "-fast",
      image: false,
    });
    expect(res.status).toBe(201);
    expect(res.data?.created.map((c) => [c.model, c.provider_model, c.new_model])).toEqual([
      ["oa/gpt-a-fast", "gpt-a", true],
      ["oa/gpt-b-fast", "gpt-b", true],
    ]);
    expect(res.data?.skipped).toEqual([]);
    const models = (await api.api.models.get()).data ?? [];
    expect(models.map((m) => m.name).sort()).toEqual(["oa/gpt-a-fast", "oa/gpt-b-fast"]);
    const links = (await api.api["model-providers"].get({ query: {} })).data ?? [];
    expect(links.map((l) => [l.provider_model, l.image, l.tool_call])).toEqual([
      ["gpt-a", false, true],
      ["gpt-b", false, true],
    ]);
    // The routing table knows them at once.
    expect(
      app.decorator.gateway
        .routes()
        .models()
        .map((m) => m.name)
        .sort(),
    ).toEqual(["oa/gpt-a-fast", "oa/gpt-b-fast"]);
  });

  it("reuses an existing model of that name and skips what is already linked", async () => {
    const { api, providerId } = await withProvider();
    const existing = await api.api.models.post({ name: "gpt-a" });
    await api.api["model-providers"].post({
      model_id: existing.data?.id as number,
      provider_id: providerId,
      provider_model: "gpt-a",
    });
    const res = await api.api["model-providers"].bulk.post({
      provider_id: providerId,
      provider_models: ["gpt-a", "gpt-c"],
    });
    expect(res.status).toBe(201);
    expect(res.data?.created).toEqual([
      expect.objectContaining({ model: "gpt-c", new_model: true, provider_model: "gpt-c" }),
    ]);
    expect(res.data?.skipped).toEqual([{ model: "gpt-a", provider_model: "gpt-a" }]);
  });

  it("writes nothing when one name is refused (one transaction)", async () => {
    const { api, providerId, db } = await withProvider();
    expectError(
      await api.api["model-providers"].bulk.post({
        provider_id: providerId,
        provider_models: ["ok", "x".repeat(196)],
        prefix: "long-",
      }),
      422,
      "prefix",
    );
    expect((db.query("SELECT COUNT(*) AS n FROM models").get() as { n: number }).n).toBe(0);
  });

  it.each([
    ["an unknown provider", { provider_id: 999, provider_models: ["a"] }, "provider_id"],
    ["an empty list", { provider_id: 1, provider_models: [] }, undefined],
    ["a blank model id", { provider_id: 1, provider_models: ["  "] }, "provider_models"],
    ["an unknown field", { provider_id: 1, provider_models: ["a"], weight: 3 }, "weight"],
  ])("refuses %s with 422", async (_, body, field) => {
    const { api } = await withProvider();
    expectError(await api.api["model-providers"].bulk.post(body), 422, field);
  });

  it("answers 401 without the admin token", async () => {
    const { anon } = await withProvider();
    expectError(await anon.api["model-providers"].bulk.post({ provider_id: 1, provider_models: ["a"] }), 401);
  });
});
