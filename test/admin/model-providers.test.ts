import { describe, expect, it } from "bun:test";
import { linkService } from "../../src/modules/admin/model-providers/service";
import { makeApp } from "../helpers/app";
import { adminDeps, expectError } from "./support";

type Api = ReturnType<typeof makeApp>["api"];

async function seed(api: Api) {
  const provider = await api.api.providers.post({
    name: "p",
    type: "openai",
    base_url: "https://p.example",
    api_key: "k",
  });
  const other = await api.api.providers.post({
    name: "q",
    type: "gemini",
    base_url: "https://q.example",
    api_key: "k",
  });
  const model = await api.api.models.post({ name: "m" });
  const model2 = await api.api.models.post({ name: "m2" });
  return {
    pid: provider.data?.id as number,
    qid: other.data?.id as number,
    mid: model.data?.id as number,
    m2id: model2.data?.id as number,
  };
}

describe("admin model-providers", () => {
  it("creates a link with the documented defaults", async () => {
    const { api } = makeApp();
    const { mid, pid } = await seed(api);
    const res = await api.api["model-providers"].post({
      model_id: mid,
      provider_id: pid,
      provider_model: " gpt ",
    });
    expect(res.status).toBe(201);
    expect(res.data).toMatchObject({
      model_id: mid,
      provider_id: pid,
      provider_model: "gpt",
      weight: 1,
      priority: 0,
      tool_call: true,
      structured_output: true,
      image: true,
      with_header: false,
      headers: {},
      extra_body: {},
      enabled: true,
      input_price: 0,
      cached_price: 0,
      cache_write_price: 0,
      output_price: 0,
      currency: "USD",
    });
  });

  it("stores every given field and reads it back", async () => {
    const { api } = makeApp();
    const { mid, pid } = await seed(api);
    const body = {
      model_id: mid,
      provider_id: pid,
      provider_model: "gpt",
      weight: 0,
      priority: 7,
      tool_call: false,
      structured_output: false,
      image: false,
      with_header: true,
      headers: { "x-team": "a" },
      extra_body: { temperature: 0.1, reasoning: { effort: "low" } },
      enabled: false,
      input_price: 1.5,
      cached_price: 0.15,
      cache_write_price: 1.9,
      output_price: 6,
      currency: "CNY" as const,
    };
    const res = await api.api["model-providers"].post(body);
    expect(res.data).toMatchObject(body);
    const read = await api.api["model-providers"]({ id: res.data?.id as number }).get();
    expect(read.data).toEqual(res.data as NonNullable<typeof res.data>);
  });

  it("GET ?model_id= lists only that model's links; without it, all of them", async () => {
    const { api } = makeApp();
    const { mid, m2id, pid, qid } = await seed(api);
    await api.api["model-providers"].post({ model_id: mid, provider_id: pid, provider_model: "a" });
    await api.api["model-providers"].post({ model_id: mid, provider_id: qid, provider_model: "b" });
    await api.api["model-providers"].post({ model_id: m2id, provider_id: pid, provider_model: "c" });
    const forM = await api.api["model-providers"].get({ query: { model_id: mid } });
    expect(forM.status).toBe(200);
    expect(forM.data?.map((l) => l.provider_model).sort()).toEqual(["a", "b"]);
    const forM2 = await api.api["model-providers"].get({ query: { model_id: m2id } });
    expect(forM2.data?.map((l) => l.provider_model)).toEqual(["c"]);
    expect((await api.api["model-providers"].get({ query: {} })).data).toHaveLength(3);
    expect((await api.api["model-providers"].get({ query: { model_id: 999 } })).data).toEqual([]);
    expect((await api.api["model-providers"].get({ query: { model_id: 0 } })).data).toEqual([]);
  });

  it("answers 422 naming model_id for a non-numeric filter", async () => {
    const { api } = makeApp();
    expectError(
      await api.api["model-providers"].get({ query: { model_id: "abc" as unknown as number } }),
      422,
      "model_id",
    );
  });

  it.each([
    ["model_id", { model_id: 999 }],
    ["provider_id", { provider_id: 999 }],
  ])("answers 422 naming %s when it names nothing, on create and on update", async (field, bad) => {
    const { api } = makeApp();
    const { mid, pid } = await seed(api);
    const body = { model_id: mid, provider_id: pid, provider_model: "x" };
    const created = await api.api["model-providers"].post({ ...body, ...bad });
    const err = expectError(created, 422, field);
    expect(err.message).toContain("999");
    const id = (await api.api["model-providers"].post(body)).data?.id as number;
    expectError(await api.api["model-providers"]({ id }).put(bad), 422, field);
    expect((await api.api["model-providers"]({ id }).get()).data).toMatchObject(body);
  });

  it("answers 409 on a duplicate link and allows the same model and provider with another provider_model", async () => {
    const { api } = makeApp();
    const { mid, pid } = await seed(api);
    const body = { model_id: mid, provider_id: pid, provider_model: "gpt" };
    await api.api["model-providers"].post(body);
    const dup = expectError(await api.api["model-providers"].post(body), 409, "provider_model");
    expect(dup.code).toBe("conflict");
    expect((await api.api["model-providers"].post({ ...body, provider_model: "gpt-mini" })).status).toBe(201);
    const second = await api.api["model-providers"].post({ ...body, provider_model: "other" });
    const id = second.data?.id as number;
    expectError(
      await api.api["model-providers"]({ id }).put({ provider_model: "gpt" }),
      409,
      "provider_model",
    );
  });

  it.each(["model", "messages", "stream", "contents", "input"])(
    "rejects extra_body setting the reserved key %p with 422",
    async (key) => {
      const { api } = makeApp();
      const { mid, pid } = await seed(api);
      const body = { model_id: mid, provider_id: pid, provider_model: "x", extra_body: { [key]: 1 } };
      const err = expectError(await api.api["model-providers"].post(body), 422, "extra_body");
      expect(err.message).toContain(key);
      const id = (await api.api["model-providers"].post({ ...body, extra_body: {} })).data?.id as number;
      expectError(
        await api.api["model-providers"]({ id }).put({ extra_body: { [key]: 1 } }),
        422,
        "extra_body",
      );
    },
  );

  it.each([
    ["weight -1", { weight: -1 }, "weight"],
    ["weight 1.5", { weight: 1.5 }, "weight"],
    ["a negative price", { input_price: -0.1 }, "input_price"],
    ["currency EUR", { currency: "EUR" }, "currency"],
    ["a blank provider_model", { provider_model: "  " }, "provider_model"],
    ["an empty provider_model", { provider_model: "" }, "provider_model"],
    ["a non-string header", { headers: { "x-a": 1 } }, "headers"],
    ["tool_call as a string", { tool_call: "yes" }, "tool_call"],
  ])("rejects %s with 422 naming the field", async (_what, patch, field) => {
    const { api } = makeApp();
    const { mid, pid } = await seed(api);
    const body = { model_id: mid, provider_id: pid, provider_model: "x", ...patch } as unknown as {
      model_id: number;
      provider_id: number;
      provider_model: string;
    };
    expectError(await api.api["model-providers"].post(body), 422, field);
    expect((await api.api["model-providers"].get({ query: {} })).data).toEqual([]);
  });

  it("PUT changes only the given fields; null clears headers, extra_body and prices", async () => {
    const { api } = makeApp();
    const { mid, pid, qid } = await seed(api);
    const created = await api.api["model-providers"].post({
      model_id: mid,
      provider_id: pid,
      provider_model: "x",
      headers: { "x-a": "1" },
      extra_body: { top_k: 3 },
      input_price: 2,
      output_price: 8,
      priority: 4,
    });
    const id = created.data?.id as number;
    const moved = await api.api["model-providers"]({ id }).put({ provider_id: qid, weight: 5 });
    expect(moved.status).toBe(200);
    expect(moved.data).toMatchObject({
      provider_id: qid,
      weight: 5,
      priority: 4,
      headers: { "x-a": "1" },
      extra_body: { top_k: 3 },
      input_price: 2,
    });
    const cleared = await api.api["model-providers"]({ id }).put({
      headers: null,
      extra_body: null,
      input_price: null,
    });
    expect(cleared.data).toMatchObject({ headers: {}, extra_body: {}, input_price: 0, output_price: 8 });
  });

  it.each([
    ["GET", (api: Api) => api.api["model-providers"]({ id: 999 }).get()],
    ["PUT", (api: Api) => api.api["model-providers"]({ id: 999 }).put({ weight: 2 })],
    [
      "PUT with a bad reference",
      (api: Api) => api.api["model-providers"]({ id: 999 }).put({ model_id: 999 }),
    ],
    ["DELETE", (api: Api) => api.api["model-providers"]({ id: 999 }).delete()],
  ])("%s of an unknown link answers 404", async (_what, call) => {
    const { api } = makeApp();
    expect(expectError(await call(api), 404).code).toBe("not_found");
  });

  it("DELETE removes the link and leaves the model and provider", async () => {
    const { api } = makeApp();
    const { mid, pid } = await seed(api);
    const id = (
      await api.api["model-providers"].post({ model_id: mid, provider_id: pid, provider_model: "x" })
    ).data?.id as number;
    const res = await api.api["model-providers"]({ id }).delete();
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ ok: true });
    expect((await api.api["model-providers"]({ id }).get()).status).toBe(404);
    expect((await api.api.models({ id: mid }).get()).status).toBe(200);
    expect((await api.api.providers({ id: pid }).get()).status).toBe(200);
  });

  it("tells the routing table to rebuild after each change, and not after a failed one", async () => {
    let changes = 0;
    const { api, deps } = makeApp();
    const { mid, pid } = await seed(api);
    const d = adminDeps(deps, () => changes++);
    const l = await linkService.create(d, { model_id: mid, provider_id: pid, provider_model: "x" });
    await linkService.update(d, l.id, { weight: 3 });
    await expect(
      linkService.create(d, { model_id: mid, provider_id: pid, provider_model: "x" }),
    ).rejects.toThrow();
    await expect(linkService.update(d, l.id, { model_id: 999 })).rejects.toThrow();
    await linkService.remove(d, l.id);
    expect(changes).toBe(3);
  });
});
