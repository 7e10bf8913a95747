import { describe, expect, it } from "bun:test";
import { openDatabase } from "../../src/storage/db";
import { modelProviders, models, providers } from "../../src/storage/repos";
import { getSetting, setSetting } from "../../src/storage/settings";

const T0 = 1_700_000_000_000;
const T1 = T0 + 5_000;

function seeded() {
  const db = openDatabase(":memory:");
  const p = providers.insert(
    db,
    { name: "p", type: "anthropic", base_url: "https://x", api_key: "k", headers: { "x-a": "1" } },
    T0,
  );
  const m = models.insert(db, { name: "m", remark: "note" }, T0);
  return { db, p, m };
}

describe("Table", () => {
  it("inserts with column defaults, decodes codecs and stamps created_at/updated_at", () => {
    const { p, m } = seeded();
    expect(p).toMatchObject({
      name: "p",
      type: "anthropic",
      headers: { "x-a": "1" },
      enabled: true,
      anthropic_version: null,
      created_at: T0,
      updated_at: T0,
    });
    expect(m).toMatchObject({ strategy: "weighted", max_attempts: 3, timeout_s: 60, breaker: true });
  });

  it("update with a subset changes only those columns and bumps updated_at", () => {
    const { db, m } = seeded();
    const after = models.update(db, m.id, { timeout_s: 5, breaker: false }, T1);
    expect(after).toEqual({ ...m, timeout_s: 5, breaker: false, updated_at: T1 });
    expect(models.get(db, m.id)).toEqual(after);
  });

  it("update with undefined fields ignores them and with null stores null", () => {
    const { db, p } = seeded();
    const withConsole = providers.update(db, p.id, { console_url: "https://c" }, T1);
    expect(withConsole?.console_url).toBe("https://c");
    const cleared = providers.update(db, p.id, { console_url: null, name: undefined }, T1);
    expect(cleared).toMatchObject({ console_url: null, name: "p" });
  });

  it("an empty patch returns the row unchanged, updated_at included", () => {
    const { db, m } = seeded();
    expect(models.update(db, m.id, {}, T1)).toEqual(m);
  });

  it("update and remove of an unknown id answer null and false", () => {
    const { db } = seeded();
    expect(models.update(db, 999, { remark: "x" }, T1)).toBeNull();
    expect(models.get(db, 999)).toBeNull();
    expect(models.remove(db, 999)).toBe(false);
  });

  it("remove deletes the row and reports it", () => {
    const { db, m } = seeded();
    expect(models.remove(db, m.id)).toBe(true);
    expect(models.all(db)).toEqual([]);
  });

  it("round-trips JSON and boolean columns through storage", () => {
    const { db, p, m } = seeded();
    const extra = { temperature: 0.2, nested: { list: [1, "two", null], flag: false } };
    const link = modelProviders.insert(
      db,
      {
        model_id: m.id,
        provider_id: p.id,
        provider_model: "up",
        tool_call: false,
        image: true,
        headers: { "x-b": "2" },
        extra_body: extra,
      },
      T0,
    );
    const raw = db.query("SELECT tool_call, image, extra_body, headers FROM model_providers").get();
    expect(raw).toEqual({
      tool_call: 0,
      image: 1,
      extra_body: JSON.stringify(extra),
      headers: '{"x-b":"2"}',
    });
    const read = modelProviders.get(db, link.id);
    expect(read).toMatchObject({ tool_call: false, image: true, extra_body: extra, headers: { "x-b": "2" } });
    expect(typeof read?.enabled).toBe("boolean");
    const flipped = modelProviders.update(db, link.id, { tool_call: true, extra_body: {} }, T1);
    expect(flipped).toMatchObject({ tool_call: true, extra_body: {} });
  });

  it("lists in the table's order and filters with named parameters", () => {
    const { db, p } = seeded();
    models.insert(db, { name: "b", display_order: -1 }, T0);
    models.insert(db, { name: "a" }, T0);
    expect(models.all(db).map((x) => x.name)).toEqual(["b", "a", "m"]);
    const other = models.insert(db, { name: "z" }, T0);
    modelProviders.insert(db, { model_id: other.id, provider_id: p.id, provider_model: "u" }, T0);
    const filtered = modelProviders.all(db, "WHERE model_id = $model_id", { model_id: other.id });
    expect(filtered.map((l) => l.model_id)).toEqual([other.id]);
  });
});

describe("settings", () => {
  it("answers undefined for a key never set", () => {
    expect(getSetting(openDatabase(":memory:"), "missing")).toBeUndefined();
  });

  it.each([
    ["a string", "abc"],
    ["a number", 30],
    ["an object", { days: 7, enabled: true }],
    ["null", null],
  ])("stores and reads back %s as JSON, overwriting the old value", (_what, value) => {
    const db = openDatabase(":memory:");
    setSetting(db, "k", "old");
    setSetting(db, "k", value);
    expect(getSetting(db, "k")).toEqual(value);
    expect(db.query("SELECT count(*) AS n FROM settings").get()).toEqual({ n: 1 });
  });
});
