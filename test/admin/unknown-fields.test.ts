import { describe, expect, it } from "bun:test";
import { makeApp, TEST_TOKEN } from "../helpers/app";

const ADMIN = { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" };

/** An app with one provider, model, link and key (each id 1), so every PUT has a target. */
async function seeded() {
  const made = makeApp();
  const send = (method: string, path: string, body: unknown) =>
    made.app.handle(
      new Request(`http://localhost${path}`, { method, headers: ADMIN, body: JSON.stringify(body) }),
    );
  for (const [path, body] of [
    ["/api/providers", { name: "p", type: "openai", base_url: "https://x.example", api_key: "k" }],
    ["/api/models", { name: "m" }],
    ["/api/model-providers", { model_id: 1, provider_id: 1, provider_model: "up" }],
    ["/api/keys", { name: "k" }],
  ] as const)
    expect((await send("POST", path, body)).status).toBe(201);
  return { ...made, send };
}

/** A valid body for every admin route that takes one. */
const VALID: [string, string, Record<string, unknown>][] = [
  ["POST", "/api/providers", { name: "p2", type: "openai", base_url: "https://y.example", api_key: "k" }],
  ["PUT", "/api/providers/1", { enabled: false }],
  ["POST", "/api/models", { name: "m2" }],
  ["PUT", "/api/models/1", { remark: "r" }],
  ["POST", "/api/model-providers", { model_id: 1, provider_id: 1, provider_model: "up2" }],
  ["PUT", "/api/model-providers/1", { weight: 2 }],
  ["POST", "/api/keys", { name: "k2" }],
  ["PUT", "/api/keys/1", { name: "k3" }],
  ["POST", "/api/import", { version: 1, models: [{ name: "m3" }] }],
];

describe("admin API: unknown fields", () => {
  it.each(VALID)(
    "%s %s answers 422 naming a mistyped field, and changes nothing",
    async (method, path, body) => {
      const { send, db } = await seeded();
      const before = db
        .query("SELECT (SELECT count(*) FROM providers) + (SELECT count(*) FROM models) AS n")
        .get();
      const res = await send(method, path, { ...body, remrak: "typo" });
      expect(res.status).toBe(422);
      const err = ((await res.json()) as { error: { code: string; field: string; message: string } }).error;
      expect(err).toMatchObject({ code: "validation", field: "remrak" });
      expect(err.message).toContain("remrak");
      expect(
        db.query("SELECT (SELECT count(*) FROM providers) + (SELECT count(*) FROM models) AS n").get(),
      ).toEqual(before);
    },
  );

  it.each(VALID)("%s %s still takes the same body without the unknown field", async (method, path, body) => {
    const { send } = await seeded();
    expect((await send(method, path, body)).status).toBeLessThan(300);
  });

  it.each([
    [
      "providers",
      { name: "p", type: "openai", base_url: "https://x.example", bogus: 1 },
      "providers[0].bogus",
    ],
    ["models", { name: "m", bogus: 1 }, "models[0].bogus"],
    [
      "model_providers",
      { model: "m", provider: "p", provider_model: "x", bogus: 1 },
      "model_providers[0].bogus",
    ],
  ] as const)(
    "POST /api/import names an unknown field inside an item of %s",
    async (section, item, field) => {
      const { send } = await seeded();
      const res = await send("POST", "/api/import", { version: 1, [section]: [item] });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { error: { field: string } }).error.field).toBe(field);
    },
  );

  it("an export imports back as it is (exported_at included)", async () => {
    const { app, send } = await seeded();
    const doc = await (
      await app.handle(new Request("http://localhost/api/export", { headers: ADMIN }))
    ).json();
    expect(doc.exported_at).toBeString();
    const res = await send("POST", "/api/import", doc);
    expect(res.status).toBe(200);
  });
});

describe("admin API: body schemas in the OpenAPI document", () => {
  it.each(VALID)("%s %s is documented as JSON that refuses unknown fields", async (method, path) => {
    const { app } = makeApp();
    const doc = (await (await app.handle(new Request("http://localhost/openapi/json"))).json()) as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>
      >;
    };
    const route = path.replace(/\/1$/, "/{id}");
    const body = doc.paths[route]?.[method.toLowerCase()]?.requestBody;
    expect(body?.content["application/json"]?.schema).toMatchObject({ additionalProperties: false });
  });
});

it("names a 100 KB unknown field in at most 200 characters", async () => {
  const { send } = await seeded();
  const res = await send("POST", "/api/models", { name: "m", ["x".repeat(100_000)]: 1 });
  expect(res.status).toBe(422);
  expect((await res.text()).length).toBeLessThan(600);
});
