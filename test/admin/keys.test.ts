import { describe, expect, it } from "bun:test";
import { sha256Hex } from "../../src/core/secrets";
import { makeApp, TEST_TOKEN } from "../helpers/app";
import { adminDeps, expectError } from "./support";
import { keyService } from "../../src/modules/admin/keys/service";

const KEY_SHAPE = /^sk-llmio-[A-Za-z0-9_-]{43}$/;

describe("admin keys", () => {
  it("creates a key, answers 201 with the full key once and stores only its hash and prefix", async () => {
    const { api, db } = makeApp();
    const res = await api.api.keys.post({ name: "  ci  " });
    expect(res.status).toBe(201);
    const key = res.data?.key as string;
    expect(key).toMatch(KEY_SHAPE);
    expect(res.data).toMatchObject({
      name: "ci",
      key_prefix: `${key.slice(0, 12)}…${key.slice(-4)}`,
      enabled: true,
      allow_all: true,
      models: [],
      expires_at: null,
      rpm_limit: null,
      tpm_limit: null,
      budget: null,
      spent: 0,
      currency: "USD",
      io_log: false,
      usage_count: 0,
      last_used_at: null,
    });
    const row = db.query("SELECT key_hash, key_prefix FROM api_keys").get() as Record<string, string>;
    expect(row.key_hash).toBe(sha256Hex(key));
    expect(JSON.stringify(db.query("SELECT * FROM api_keys").all())).not.toContain(key);

    const id = res.data?.id as number;
    for (const read of [(await api.api.keys({ id }).get()).data, (await api.api.keys.get()).data?.[0]]) {
      expect(read).not.toHaveProperty("key");
      expect(read).not.toHaveProperty("key_hash");
      expect(read?.key_prefix).toBe(res.data?.key_prefix as string);
    }
  });

  it("generates a different key every time", async () => {
    const { api } = makeApp();
    const a = (await api.api.keys.post({ name: "a" })).data?.key;
    const b = (await api.api.keys.post({ name: "b" })).data?.key;
    expect(a).not.toBe(b);
  });

  it("stores every field; a model list restricts the key unless allow_all says otherwise", async () => {
    const { api } = makeApp();
    await api.api.models.post({ name: "gpt" });
    await api.api.models.post({ name: "claude" });
    const body = {
      name: "team",
      enabled: false,
      models: ["gpt", "claude"],
      expires_at: "2030-01-02T03:04:05.000Z",
      rpm_limit: 60,
      tpm_limit: 10_000,
      budget: 12.5,
      currency: "CNY" as const,
      io_log: true,
    };
    const res = await api.api.keys.post(body);
    // Eden turns ISO strings into Dates on the way in; the wire text is checked below.
    expect(res.data).toMatchObject({ ...body, expires_at: new Date(body.expires_at), allow_all: false });
    const open = await api.api.keys.post({ name: "open", models: ["gpt"], allow_all: true });
    expect(open.data?.allow_all).toBe(true);
  });

  it.each([
    ["with an offset", "2030-01-02T08:00:00+08:00"],
    ["as a date", "2030-01-02"],
  ])("reads expires_at given %s back as ISO in UTC", async (_what, expires_at) => {
    const { app } = makeApp();
    const res = await app.handle(
      new Request("http://localhost/api/keys", {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "k", expires_at }),
      }),
    );
    expect(res.status).toBe(201);
    expect(((await res.json()) as { expires_at: string }).expires_at).toBe("2030-01-02T00:00:00.000Z");
  });

  it.each([
    ["a blank name", { name: "  " }, "name"],
    ["a missing name", { name: undefined }, "name"],
    ["a date that is not ISO", { expires_at: "next tuesday" }, "expires_at"],
    ["an impossible date", { expires_at: "2030-13-45" }, "expires_at"],
    ["a negative rpm_limit", { rpm_limit: -1 }, "rpm_limit"],
    ["a fractional rpm_limit", { rpm_limit: 1.5 }, "rpm_limit"],
    ["a negative tpm_limit", { tpm_limit: -5 }, "tpm_limit"],
    ["a negative budget", { budget: -0.01 }, "budget"],
    ["an unknown currency", { currency: "EUR" }, "currency"],
    ["an unknown model", { models: ["nope"] }, "models"],
  ])("rejects %s with 422 naming the field", async (_what, patch, field) => {
    const { api } = makeApp();
    const body = { name: "k", ...patch } as unknown as { name: string };
    expectError(await api.api.keys.post(body), 422, field);
    expect((await api.api.keys.get()).data).toEqual([]);
  });

  it("PUT changes only the given fields, null clears, and it never changes the key", async () => {
    let now = 1_000;
    const { api, db } = makeApp({ clock: { now: () => now, mono: () => now } });
    await api.api.models.post({ name: "gpt" });
    const created = (
      await api.api.keys.post({
        name: "k",
        models: ["gpt"],
        expires_at: "2030-01-01T00:00:00Z",
        rpm_limit: 5,
        budget: 3,
      })
    ).data;
    const id = created?.id as number;
    const hash = (db.query("SELECT key_hash FROM api_keys").get() as { key_hash: string }).key_hash;
    now = 2_000;
    const res = await api.api.keys({ id }).put({ rpm_limit: null, expires_at: null, tpm_limit: 100 });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      name: "k",
      models: ["gpt"],
      allow_all: false,
      expires_at: null,
      rpm_limit: null,
      tpm_limit: 100,
      budget: 3,
      key_prefix: created?.key_prefix as string,
      created_at: 1_000,
      updated_at: 2_000,
    });
    expect(res.data).not.toHaveProperty("key");
    expect((db.query("SELECT key_hash FROM api_keys").get() as { key_hash: string }).key_hash).toBe(hash);
    expect((await api.api.keys({ id }).put({ models: null })).data?.models).toEqual([]);
  });

  it("PUT validates like POST", async () => {
    const { api } = makeApp();
    const id = (await api.api.keys.post({ name: "k" })).data?.id as number;
    expectError(await api.api.keys({ id }).put({ name: " " }), 422, "name");
    expectError(await api.api.keys({ id }).put({ models: ["ghost"] }), 422, "models");
    expectError(await api.api.keys({ id }).put({ expires_at: "soon" }), 422, "expires_at");
    expectError(await api.api.keys({ id }).put({ budget: -1 }), 422, "budget");
  });

  it("rotate answers a new key once and replaces the stored hash", async () => {
    const { api, db } = makeApp();
    const created = (await api.api.keys.post({ name: "k" })).data;
    const id = created?.id as number;
    const res = await api.api.keys({ id }).rotate.post();
    expect(res.status).toBe(200);
    const key = res.data?.key as string;
    expect(key).toMatch(KEY_SHAPE);
    expect(key).not.toBe(created?.key as string);
    expect(res.data?.key_prefix).toBe(`${key.slice(0, 12)}…${key.slice(-4)}`);
    const row = db.query("SELECT key_hash FROM api_keys WHERE id = ?").get(id) as { key_hash: string };
    expect(row.key_hash).toBe(sha256Hex(key));
  });

  it("deletes a key", async () => {
    const { api } = makeApp();
    const id = (await api.api.keys.post({ name: "k" })).data?.id as number;
    expect((await api.api.keys({ id }).delete()).data).toEqual({ ok: true });
    expect((await api.api.keys.get()).data).toEqual([]);
  });

  it("answers 404 for an unknown id on every route", async () => {
    const { api } = makeApp();
    const id = 999;
    expectError(await api.api.keys({ id }).get(), 404);
    expectError(await api.api.keys({ id }).put({ name: "x" }), 404);
    expectError(await api.api.keys({ id }).rotate.post(), 404);
    expectError(await api.api.keys({ id }).delete(), 404);
  });

  it("answers 401 without the admin token", async () => {
    const { anon } = makeApp();
    expect((await anon.api.keys.get()).status).toBe(401);
    expect((await anon.api.keys.post({ name: "k" })).status).toBe(401);
  });

  it("rebuilds the proxy snapshot after every change", async () => {
    const { deps } = makeApp();
    let changes = 0;
    const d = adminDeps(deps, () => changes++);
    const { id } = await keyService.create(d, { name: "k" });
    await keyService.update(d, id, { enabled: false });
    await keyService.rotate(d, id);
    await keyService.remove(d, id);
    expect(changes).toBe(4);
  });
});
