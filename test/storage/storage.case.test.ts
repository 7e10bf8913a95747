import { afterEach, describe, expect, it } from "bun:test";
import { buildSnapshot } from "../../src/modules/proxy/snapshot";
import { openDatabase } from "../../src/storage/db";
import { ConstraintError } from "../../src/storage/errors";
import type { KeyColumns } from "../../src/storage/keys";
import { openPostgres } from "../../src/storage/postgres";
import { sqliteStorage } from "../../src/storage/sqlite";
import type { Storage } from "../../src/storage/storage";
import { createTempDatabase, havePostgres, warnSkip } from "../helpers/postgres";
import { record } from "../helpers/records";

/*
 * One repository suite, run against both storage implementations: SQLite in memory with the real
 * migrations, and PostgreSQL in a database of its own (created for the test, dropped after it).
 */

interface Backend {
  name: string;
  available: boolean;
  open(): Promise<{ storage: Storage; done(): Promise<void> }>;
}

const BACKENDS: Backend[] = [
  {
    name: "sqlite",
    available: true,
    async open() {
      const storage = sqliteStorage(openDatabase(":memory:"));
      return { storage, done: () => storage.close() };
    },
  },
  {
    name: "postgres",
    available: havePostgres,
    async open() {
      const db = await createTempDatabase();
      const storage = await openPostgres(db.url, 4);
      return {
        storage,
        async done() {
          await storage.close();
          await db.drop();
        },
      };
    },
  },
];
warnSkip("the storage suite on PostgreSQL");

const NOW = 1_700_000_000_000;

const KEY: KeyColumns = {
  name: "k",
  enabled: true,
  allow_all: false,
  models: ["m1", "m2"],
  expires_at: NOW + 86_400_000,
  rpm_limit: 6,
  tpm_limit: null,
  budget: 1.5,
  currency: "USD",
  io_log: true,
};

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`storage on ${backend.name}`, () => {
    let s: Storage;
    let done: () => Promise<void> = async () => {};
    const open = async () => {
      ({ storage: s, done } = await backend.open());
      return s;
    };
    afterEach(async () => {
      await done();
      done = async () => {};
    });

    it("inserts, reads, updates and removes a provider, with JSON and boolean columns as values", async () => {
      await open();
      const p = await s.providers.insert(
        {
          name: "p",
          type: "openai",
          base_url: "http://x",
          api_key: "k",
          headers: { "x-a": "1" },
          enabled: false,
        },
        NOW,
      );
      expect(p).toMatchObject({
        name: "p",
        headers: { "x-a": "1" },
        enabled: false,
        created_at: NOW,
        updated_at: NOW,
      });
      expect(typeof p.id).toBe("number");
      expect(await s.providers.get(p.id)).toEqual(p);
      const u = await s.providers.update(p.id, { enabled: true, console_url: "http://c" }, NOW + 5);
      expect(u).toMatchObject({ enabled: true, console_url: "http://c", name: "p", updated_at: NOW + 5 });
      expect(await s.providers.update(9999, { name: "z" }, NOW)).toBeNull();
      expect(await s.providers.idByName("p")).toBe(p.id);
      expect(await s.providers.idByName("nope")).toBeUndefined();
      expect(await s.providers.secrets()).toEqual([{ name: "p", api_key: "k", base_url: "http://x" }]);
      expect(await s.providers.remove(p.id)).toBe(true);
      expect(await s.providers.remove(p.id)).toBe(false);
      expect(await s.providers.get(p.id)).toBeNull();
    });

    it("lists names in code-point order (as SQLite's BINARY collation sorts them)", async () => {
      await open();
      for (const name of ["b", "B", "a", "_z", "Ä"])
        await s.providers.insert({ name, type: "openai", base_url: "http://x" }, NOW);
      expect((await s.providers.all()).map((p) => p.name)).toEqual(["B", "_z", "a", "b", "Ä"]);
      await s.models.insert({ name: "z", display_order: 0 }, NOW);
      await s.models.insert({ name: "y", display_order: 1 }, NOW);
      await s.models.insert({ name: "a", display_order: 1 }, NOW);
      expect((await s.models.all()).map((m) => m.name)).toEqual(["z", "a", "y"]);
    });

    it("reports a duplicate name as a unique ConstraintError and a dangling reference as a foreign-key one", async () => {
      await open();
      await s.models.insert({ name: "m" }, NOW);
      const dup = await s.models.insert({ name: "m" }, NOW).catch((e) => e);
      expect(dup).toBeInstanceOf(ConstraintError);
      expect(dup.kind).toBe("unique");
      const dangling = await s.links
        .insert({ model_id: 999, provider_id: 999, provider_model: "x" }, NOW)
        .catch((e) => e);
      expect(dangling).toBeInstanceOf(ConstraintError);
      expect(dangling.kind).toBe("foreign_key");
    });

    it("links: by model, by identity, cascaded away with their model; ids never come back", async () => {
      await open();
      const p = await s.providers.insert({ name: "p", type: "anthropic", base_url: "http://x" }, NOW);
      const m1 = await s.models.insert({ name: "m1", breaker: false }, NOW);
      const m2 = await s.models.insert({ name: "m2" }, NOW);
      expect(m1.breaker).toBe(false);
      const l1 = await s.links.insert(
        {
          model_id: m1.id,
          provider_id: p.id,
          provider_model: "up",
          extra_body: { a: [1] },
          input_price: 0.25,
          tool_call: false,
        },
        NOW,
      );
      const l2 = await s.links.insert({ model_id: m2.id, provider_id: p.id, provider_model: "up" }, NOW);
      expect(l1).toMatchObject({
        extra_body: { a: [1] },
        input_price: 0.25,
        tool_call: false,
        headers: {},
        currency: "USD",
      });
      expect((await s.links.ofModel(m1.id)).map((l) => l.id)).toEqual([l1.id]);
      expect(await s.links.idOf(m2.id, p.id, "up")).toBe(l2.id);
      expect(await s.links.idOf(m2.id, p.id, "other")).toBeUndefined();
      expect(await s.models.remove(m1.id)).toBe(true);
      expect(await s.links.get(l1.id)).toBeNull();
      const m3 = await s.models.insert({ name: "m3" }, NOW);
      expect(m3.id).toBeGreaterThan(m2.id);
      await s.models.remove(m3.id);
      expect((await s.models.insert({ name: "m4" }, NOW)).id).toBeGreaterThan(m3.id);
    });

    it("clearRouting deletes every link, model and provider and nothing else", async () => {
      await open();
      const p = await s.providers.insert({ name: "p", type: "openai", base_url: "http://x" }, NOW);
      const m = await s.models.insert({ name: "m" }, NOW);
      await s.links.insert({ model_id: m.id, provider_id: p.id, provider_model: "x" }, NOW);
      await s.keys.insert(KEY, "h1", "sk-1", NOW);
      await s.clearRouting();
      expect(await s.links.all()).toEqual([]);
      expect(await s.models.all()).toEqual([]);
      expect(await s.providers.all()).toEqual([]);
      expect(await s.keys.all()).toHaveLength(1);
    });

    it("keys: views without the hash, columns for a PUT, secrets rotated, the routing read with the hash", async () => {
      await open();
      const v = await s.keys.insert(KEY, "hash-1", "sk-llmio-abc…wxyz", NOW);
      expect(v).toEqual({
        id: v.id,
        name: "k",
        key_prefix: "sk-llmio-abc…wxyz",
        enabled: true,
        allow_all: false,
        models: ["m1", "m2"],
        expires_at: new Date(NOW + 86_400_000).toISOString(),
        rpm_limit: 6,
        tpm_limit: null,
        budget: 1.5,
        spent: 0,
        currency: "USD",
        io_log: true,
        usage_count: 0,
        last_used_at: null,
        created_at: NOW,
        updated_at: NOW,
      });
      expect(JSON.stringify(await s.keys.all())).not.toContain("hash-1");
      expect(await s.keys.columns(v.id)).toMatchObject(KEY);
      const u = await s.keys.update(v.id, { ...KEY, enabled: false, models: [] }, NOW + 1);
      expect(u).toMatchObject({ enabled: false, models: [], updated_at: NOW + 1 });
      expect(await s.keys.idByHash("hash-1")).toBe(v.id);
      await s.keys.setSecret(v.id, "hash-2", "sk-2", NOW + 2);
      expect(await s.keys.idByHash("hash-1")).toBeUndefined();
      expect(await s.keys.forRouting()).toEqual([
        {
          id: v.id,
          name: "k",
          key_hash: "hash-2",
          enabled: false,
          allow_all: false,
          models: [],
          expires_at: NOW + 86_400_000,
          io_log: true,
          rpm_limit: 6,
          tpm_limit: null,
          budget: 1.5,
          spent: 0,
          currency: "USD",
        },
      ]);
      const dup = await s.keys.insert(KEY, "hash-2", "x", NOW).catch((e) => e);
      expect(dup).toBeInstanceOf(ConstraintError);
      expect(await s.keys.remove(v.id)).toBe(true);
      expect(await s.keys.get(v.id)).toBeNull();
      expect(await s.keys.update(v.id, KEY, NOW)).toBeNull();
    });

    it("settings hold JSON values by key and overwrite them", async () => {
      await open();
      expect(await s.settings.get("a")).toBeUndefined();
      await s.settings.set("a", { x: [1, "two"] });
      await s.settings.set("b", "hash");
      await s.settings.set("a", 3);
      expect(await s.settings.get<number>("a")).toBe(3);
      expect(await s.settings.get<string>("b")).toBe("hash");
      // add: only the first writer of a key wins (instances starting together generate one admin token).
      expect(await s.settings.add("c", "first")).toBe(true);
      expect(await s.settings.add("c", "second")).toBe(false);
      expect(await s.settings.get<string>("c")).toBe("first");
    });

    it("a transaction commits all of its writes, or none when it throws", async () => {
      await open();
      await s.transaction(async (tx) => {
        await tx.models.insert({ name: "kept" }, NOW);
        await tx.settings.set("x", 1);
      });
      const err = await s
        .transaction(async (tx) => {
          await tx.models.insert({ name: "gone" }, NOW);
          await tx.providers.insert({ name: "gone", type: "openai", base_url: "http://x" }, NOW);
          throw new Error("boom");
        })
        .catch((e) => e);
      expect(err.message).toBe("boom");
      expect((await s.models.all()).map((m) => m.name)).toEqual(["kept"]);
      expect(await s.providers.all()).toEqual([]);
      expect(await s.settings.get("x")).toBe(1);
    });

    it("records: a batch with bodies and key usage in one go; retention deletes the oldest", async () => {
      await open();
      const key = await s.keys.insert(KEY, "h", "p", NOW);
      const batch = Array.from({ length: 5 }, (_, i) => ({
        ...record(i),
        key_id: i < 3 ? key.id : null,
        cost: 0.5,
        bodies: i === 1 ? { request: "q1", response: "a1" } : undefined,
      }));
      await s.records.insert(batch);
      const after = await s.keys.get(key.id);
      expect(after).toMatchObject({ usage_count: 3, spent: 1.5, last_used_at: record(2).created_at });
      expect(await s.records.prune(record(2).created_at, 10)).toBe(2);
      expect(await s.records.prune(record(2).created_at, 10)).toBe(0);
    });

    it("builds the same routing snapshot from what it stores", async () => {
      await open();
      const p = await s.providers.insert(
        { name: "p", type: "gemini", base_url: "http://x", error_matcher: "quota" },
        NOW,
      );
      const off = await s.providers.insert(
        { name: "off", type: "openai", base_url: "http://y", enabled: false },
        NOW,
      );
      const m = await s.models.insert({ name: "m", strategy: "priority", timeout_s: 7 }, NOW);
      await s.links.insert({ model_id: m.id, provider_id: p.id, provider_model: "g", priority: 2 }, NOW);
      await s.links.insert({ model_id: m.id, provider_id: off.id, provider_model: "o" }, NOW);
      await s.keys.insert(KEY, "hh", "pp", NOW);
      const snap = await buildSnapshot(s);
      const model = snap.all.get("m");
      expect(model?.strategy).toBe("priority");
      expect(model?.timeoutMs).toBe(7000);
      expect(model?.links.map((l) => [l.provider.name, l.providerModel, l.priority])).toEqual([
        ["p", "g", 2],
      ]);
      expect(model?.links[0]?.provider.errorMatcher?.source).toBe("quota");
      const k = snap.keys.get("hh");
      expect(k).toMatchObject({
        name: "k",
        enabled: true,
        allowAll: false,
        ioLog: true,
        expiresAt: NOW + 86_400_000,
      });
      expect([...(k?.models ?? [])]).toEqual(["m1", "m2"]);
      expect(k?.limits).toEqual({
        rpmLimit: 6,
        tpmLimit: null,
        budget: 1.5,
        spent: 0,
        currency: "USD",
        usdCnyRate: 7.2,
      });
    });
  });
}
