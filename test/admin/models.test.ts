import { describe, expect, it } from "bun:test";
import { modelService } from "../../src/modules/admin/models/service";
import { makeApp } from "../helpers/app";
import { adminDeps, expectError } from "./support";

describe("admin models", () => {
  it("creates a model with the documented defaults and answers 201", async () => {
    const { api } = makeApp();
    const res = await api.api.models.post({ name: "gpt-4o" });
    expect(res.status).toBe(201);
    expect(res.data).toMatchObject({
      name: "gpt-4o",
      remark: "",
      strategy: "weighted",
      max_attempts: 3,
      timeout_s: 60,
      breaker: true,
      display_order: 0,
    });
    expect(res.data?.id).toBeGreaterThan(0);
  });

  it("stores every given field and trims the name", async () => {
    const { api } = makeApp();
    const body = {
      name: "  claude  ",
      remark: "main",
      strategy: "priority" as const,
      max_attempts: 5,
      timeout_s: 120,
      breaker: false,
      display_order: 2,
    };
    const res = await api.api.models.post(body);
    expect(res.data).toMatchObject({ ...body, name: "claude" });
    const read = await api.api.models({ id: res.data?.id as number }).get();
    expect(read.data).toEqual(res.data as NonNullable<typeof res.data>);
  });

  it("lists each model with how many links it has, and how many are enabled", async () => {
    const { api } = makeApp();
    const a = (await api.api.models.post({ name: "a" })).data as { id: number };
    await api.api.models.post({ name: "b" });
    const p = (
      await api.api.providers.post({ name: "p", type: "openai", base_url: "https://p.example", api_key: "k" })
    ).data as { id: number };
    for (const [m, enabled] of [
      ["m1", true],
      ["m2", false],
    ] as const)
      await api.api["model-providers"].post({
        model_id: a.id,
        provider_id: p.id,
        provider_model: m,
        enabled,
      });
    const list = (await api.api.models.get()).data ?? [];
    expect(list.map((m) => [m.name, m.links, m.enabled_links])).toEqual([
      ["a", 2, 1],
      ["b", 0, 0],
    ]);
  });

  it("lists models by display_order, then name", async () => {
    const { api } = makeApp();
    await api.api.models.post({ name: "b" });
    await api.api.models.post({ name: "a" });
    await api.api.models.post({ name: "z", display_order: -1 });
    const res = await api.api.models.get();
    expect(res.status).toBe(200);
    expect(res.data?.map((m) => m.name)).toEqual(["z", "a", "b"]);
  });

  it("answers 409 naming the field on a duplicate name, also after trimming", async () => {
    const { api } = makeApp();
    await api.api.models.post({ name: "dup" });
    expectError(await api.api.models.post({ name: "dup" }), 409, "name");
    expectError(await api.api.models.post({ name: " dup " }), 409, "name");
    expect((await api.api.models.get()).data).toHaveLength(1);
  });

  it.each([
    ["max_attempts 0", { max_attempts: 0 }, "max_attempts"],
    ["max_attempts 1.5", { max_attempts: 1.5 }, "max_attempts"],
    ["max_attempts 21", { max_attempts: 21 }, "max_attempts"],
    ["timeout_s 0", { timeout_s: 0 }, "timeout_s"],
    ["strategy nope", { strategy: "nope" }, "strategy"],
    ["breaker as a string", { breaker: "yes" }, "breaker"],
    ["an empty name", { name: "" }, "name"],
    ["a blank name", { name: "   " }, "name"],
    ["a missing name", { name: undefined }, "name"],
  ])("rejects %s with 422 naming the field", async (_what, patch, field) => {
    const { api } = makeApp();
    const body = { name: "m", ...patch } as unknown as { name: string };
    expectError(await api.api.models.post(body), 422, field);
    expect((await api.api.models.get()).data).toEqual([]);
  });

  it("PUT changes only the given fields and bumps updated_at", async () => {
    let now = 1_000;
    const { api } = makeApp({ clock: { now: () => now, mono: () => now } });
    const created = (await api.api.models.post({ name: "m", remark: "keep", max_attempts: 4 })).data;
    const id = created?.id as number;
    now = 2_000;
    const res = await api.api.models({ id }).put({ timeout_s: 10, strategy: "priority" });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({
      ...(created as NonNullable<typeof created>),
      timeout_s: 10,
      strategy: "priority",
      updated_at: 2_000,
    });
  });

  it("PUT with remark null clears it", async () => {
    const { api } = makeApp();
    const id = (await api.api.models.post({ name: "m", remark: "old" })).data?.id as number;
    const res = await api.api.models({ id }).put({ remark: null });
    expect(res.data?.remark).toBe("");
  });

  it("PUT renaming onto another model's name answers 409 and changes nothing", async () => {
    const { api } = makeApp();
    await api.api.models.post({ name: "a" });
    const id = (await api.api.models.post({ name: "b" })).data?.id as number;
    expectError(await api.api.models({ id }).put({ name: "a" }), 409, "name");
    expect((await api.api.models({ id }).get()).data?.name).toBe("b");
  });

  it("PUT with an invalid field answers 422 naming it and changes nothing", async () => {
    const { api } = makeApp();
    const id = (await api.api.models.post({ name: "m" })).data?.id as number;
    expectError(await api.api.models({ id }).put({ max_attempts: 0 }), 422, "max_attempts");
    expect((await api.api.models({ id }).get()).data?.max_attempts).toBe(3);
  });

  it.each([
    ["GET", (api: ReturnType<typeof makeApp>["api"]) => api.api.models({ id: 999 }).get()],
    ["PUT", (api: ReturnType<typeof makeApp>["api"]) => api.api.models({ id: 999 }).put({ remark: "x" })],
    ["DELETE", (api: ReturnType<typeof makeApp>["api"]) => api.api.models({ id: 999 }).delete()],
  ])("%s of an unknown id answers 404", async (_method, call) => {
    const { api } = makeApp();
    const err = expectError(await call(api), 404);
    expect(err.code).toBe("not_found");
  });

  it.each(["abc", "1.5"])("answers 422 naming id for the id %p", async (id) => {
    const { api } = makeApp();
    expectError(await api.api.models({ id }).get(), 422, "id");
  });

  it.each([0, -1])("answers 404 for the integer id %p that names nothing", async (id) => {
    const { api } = makeApp();
    expectError(await api.api.models({ id }).get(), 404);
  });

  it("DELETE removes the model and its links", async () => {
    const { api, db } = makeApp();
    const id = (await api.api.models.post({ name: "m" })).data?.id as number;
    const pid = (
      await api.api.providers.post({ name: "p", type: "openai", base_url: "https://x.example", api_key: "k" })
    ).data?.id as number;
    await api.api["model-providers"].post({ model_id: id, provider_id: pid, provider_model: "up" });
    const res = await api.api.models({ id }).delete();
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ ok: true });
    expect((await api.api.models({ id }).get()).status).toBe(404);
    expect(db.query("SELECT count(*) AS n FROM model_providers").get()).toEqual({ n: 0 });
  });

  it("tells the routing table to rebuild after each change, and not after a failed one", async () => {
    let changes = 0;
    const { deps } = makeApp();
    const d = adminDeps(deps, () => changes++);
    const m = await modelService.create(d, { name: "m" });
    await modelService.update(d, m.id, { remark: "x" });
    await expect(modelService.create(d, { name: "m" })).rejects.toThrow("already exists");
    await expect(modelService.update(d, 999, { remark: "x" })).rejects.toThrow("not found");
    await modelService.remove(d, m.id);
    expect(changes).toBe(3);
  });
});
