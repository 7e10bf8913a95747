import { beforeAll, describe, expect, it } from "bun:test";
import { TEST_TOKEN } from "../helpers/app";
import type { SeenRequest } from "../helpers/fake-upstream";
import { startFourLinked } from "../helpers/fixture";
import { AUTH, addKey, FOUR, minimalRequest, post, readSse } from "../helpers/gateway";

const { up, gw } = startFourLinked();

type Json = Record<string, any>;
const last = () => up.seen.at(-1) as SeenRequest;
const get = (path: string, headers: Record<string, string> = AUTH) => fetch(gw.url + path, { headers });

describe("OpenAI stream usage", () => {
  const usageChunks = (events: { data: string }[]) =>
    events
      .filter((e) => e.data !== "[DONE]")
      .map((e) => JSON.parse(e.data) as Json)
      .filter((c) => c.usage);

  it("asks the upstream for usage and hides the usage-only chunk from a client that did not ask", async () => {
    const res = await post(gw, "/v1/chat/completions", minimalRequest("openai", "gpt-x", true).body);
    expect(res.status).toBe(200);
    expect((last().body.stream_options as Json)?.include_usage).toBe(true);
    const events = await readSse(res);
    expect(usageChunks(events)).toHaveLength(0);
    expect(events.at(-1)?.data).toBe("[DONE]");
    await gw.flush();
    expect(gw.logs()[0]?.output_tokens).toBe(7);
  });

  it("passes the usage chunk to a client that asked with stream_options.include_usage", async () => {
    const body = minimalRequest("openai", "gpt-x", true, { stream_options: { include_usage: true } }).body;
    const events = await readSse(await post(gw, "/v1/chat/completions", body));
    const usage = usageChunks(events);
    expect(usage).toHaveLength(1);
    expect(usage[0]?.choices).toEqual([]);
    expect(usage[0]?.usage.completion_tokens).toBe(7);
  });

  it("does not add stream_options to a non-stream request", async () => {
    await post(gw, "/v1/chat/completions", minimalRequest("openai", "gpt-x", false).body);
    expect(last().body.stream_options).toBeUndefined();
  });
});

describe("link extra_body", () => {
  it.each(["openai", "openai-responses", "anthropic", "gemini"] as const)(
    "merges extra_body into the %s upstream body, the routed model winning",
    async (style) => {
      const model = `extra-${style}`;
      gw.link({
        model,
        provider: FOUR[style].provider,
        type: style,
        baseUrl: up.url,
        providerModel: `up-extra-${style}`,
        link: { extra_body: { temperature: 0.25, custom: { deep: [1, 2] }, model: "not-this" } },
      });
      const req = minimalRequest(style, model, false);
      const res = await post(gw, req.path, req.body);
      expect(res.status).toBe(200);
      const seen = last();
      expect(seen.model).toBe(`up-extra-${style}`);
      expect(seen.body.temperature).toBe(0.25);
      expect(seen.body.custom).toEqual({ deep: [1, 2] });
      // The client's own fields are still there.
      if (style === "gemini") expect(seen.body.contents).toEqual(req.body.contents);
      else expect(seen.body.model).toBe(`up-extra-${style}`);
    },
  );
});

describe("upstream headers", () => {
  const CLIENT = {
    ...AUTH,
    "x-client-only": "from-client",
    "x-shared": "from-client",
    "x-api-key": "client-secret-key",
    "x-goog-api-key": "client-goog-key",
    cookie: "session=secret",
    "proxy-authorization": "Basic c2VjcmV0",
    "keep-alive": "timeout=5",
    "x-forwarded-for": "10.0.0.1",
  };

  beforeAll(() => {
    gw.link({
      model: "hdr-on",
      provider: "hdr-prov",
      type: "openai",
      baseUrl: up.url,
      providerModel: "up-hdr-on",
      providerOptions: { headers: { "X-Provider-Wins": "provider", "x-prov-only": "provider" } },
      link: {
        with_header: true,
        // Mixed case on purpose: header names are case-insensitive, precedence must still hold.
        headers: { "X-Shared": "from-link", "x-provider-wins": "from-link", "X-Link-Only": "link" },
      },
    });
    gw.link({
      model: "hdr-off",
      provider: "hdr-prov",
      type: "openai",
      baseUrl: up.url,
      providerModel: "up-hdr-off",
      link: { headers: { "x-link-only": "link" } },
    });
  });

  it("with with_header: client headers pass, the link's override them, the provider's override the link's", async () => {
    const res = await post(
      gw,
      "/v1/chat/completions",
      minimalRequest("openai", "hdr-on", false).body,
      CLIENT,
    );
    expect(res.status).toBe(200);
    const h = last().headers;
    expect(h["x-client-only"]).toBe("from-client");
    expect(h["x-shared"]).toBe("from-link");
    expect(h["x-link-only"]).toBe("link");
    expect(h["x-provider-wins"]).toBe("provider");
    expect(h["x-prov-only"]).toBe("provider");
  });

  it("never forwards client credentials or hop-by-hop headers, even with with_header", async () => {
    await post(gw, "/v1/chat/completions", minimalRequest("openai", "hdr-on", false).body, CLIENT);
    const h = last().headers;
    expect(h.authorization).toBe("Bearer key-hdr-prov");
    expect(h["x-api-key"]).toBeUndefined();
    expect(h["x-goog-api-key"]).toBeUndefined();
    expect(h.cookie).toBeUndefined();
    expect(h["proxy-authorization"]).toBeUndefined();
    expect(h["keep-alive"]).toBeUndefined();
    expect(h["x-forwarded-for"]).toBeUndefined();
    const all = JSON.stringify(h);
    for (const secret of [TEST_TOKEN, "client-secret-key", "client-goog-key", "session=secret"])
      expect(all).not.toContain(secret);
  });

  it("without with_header: no client header passes, the link's own still do", async () => {
    await post(gw, "/v1/chat/completions", minimalRequest("openai", "hdr-off", false).body, CLIENT);
    const h = last().headers;
    expect(h["x-client-only"]).toBeUndefined();
    expect(h["x-shared"]).toBeUndefined();
    expect(h["x-link-only"]).toBe("link");
    expect(h.authorization).toBe("Bearer key-hdr-prov");
  });
});

describe("provider base URL", () => {
  it.each([
    ["openai", "", "/v1/chat/completions"],
    ["openai", "/v1", "/v1/chat/completions"],
    ["openai", "/v1/", "/v1/chat/completions"],
    ["openai", "/api/paas/v4", "/api/paas/v4/chat/completions"],
    ["anthropic", "", "/v1/messages"],
    ["anthropic", "/v1", "/v1/messages"],
    ["gemini", "", "/v1beta/models/up-base:generateContent"],
    ["gemini", "/v1beta", "/v1beta/models/up-base:generateContent"],
  ] as const)("a %s base ending in %p calls %s", async (style, suffix, path) => {
    const model = `base-${style}-${suffix}`;
    gw.link({
      model,
      provider: `base-${style}-${suffix}`,
      type: style,
      baseUrl: up.url + suffix,
      providerModel: "up-base",
    });
    const req = minimalRequest(style, model, false);
    const res = await post(gw, req.path, req.body);
    expect(res.status).toBe(200);
    expect(last().path).toBe(path);
  });
});

describe("model lists", () => {
  let restricted: string;
  beforeAll(() => {
    // A model without links is not offered to clients.
    gw.link({ model: "tmp-unlinked", provider: "oa", type: "openai", baseUrl: up.url, providerModel: "x" });
    gw.db.run(
      "DELETE FROM model_providers WHERE model_id = (SELECT id FROM models WHERE name = 'tmp-unlinked')",
    );
    gw.runtime.reload();
    restricted = addKey(gw, { models: ["gpt-x", "gem-x"] }).key;
  });
  const nowS = () => Date.now() / 1000;

  it("/v1/models answers in OpenAI's shape, with created in Unix seconds", async () => {
    const res = await get("/v1/models");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    const body = (await res.json()) as Json;
    expect(body.object).toBe("list");
    const ids = body.data.map((m: Json) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["gpt-x", "resp-x", "claude-x", "gem-x"]));
    expect(ids).not.toContain("tmp-unlinked");
    const gpt = body.data.find((m: Json) => m.id === "gpt-x");
    expect(gpt).toMatchObject({ object: "model", owned_by: "llmio" });
    expect(Math.abs(gpt.created - nowS())).toBeLessThan(600);
  });

  it.each(["/v1/models", "/openai/v1/models"])(
    "%s/{id} answers one model, 404 for an unknown one",
    async (p) => {
      const one = (await (await get(`${p}/gpt-x`)).json()) as Json;
      expect(one).toMatchObject({ id: "gpt-x", object: "model" });
      const res = await get(`${p}/nope`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as Json).error.type).toBe("invalid_request_error");
    },
  );

  it.each([
    ["/v1/models with anthropic-version", "/v1/models", { ...AUTH, "anthropic-version": "2023-06-01" }],
    ["/anthropic/v1/models", "/anthropic/v1/models", AUTH],
  ])("%s answers in Anthropic's shape", async (_n, path, headers) => {
    const body = (await (await get(path, headers)).json()) as Json;
    expect(body.has_more).toBe(false);
    expect(body.object).toBeUndefined();
    const claude = body.data.find((m: Json) => m.id === "claude-x");
    expect(claude).toMatchObject({ type: "model", display_name: "claude-x" });
    expect(Math.abs(Date.parse(claude.created_at) / 1000 - nowS())).toBeLessThan(600);
    expect(body.first_id).toBe(body.data[0].id);
    expect(body.last_id).toBe(body.data.at(-1).id);
  });

  it.each(["/v1beta/models", "/gemini/v1beta/models"])("%s answers in Gemini's shape", async (path) => {
    const body = (await (await get(path)).json()) as Json;
    const gem = body.models.find((m: Json) => m.name === "models/gem-x");
    expect(gem.supportedGenerationMethods).toContain("generateContent");
    expect(body.data).toBeUndefined();
  });

  it.each([
    ["/v1/models", (b: Json) => b.data.map((m: Json) => m.id)],
    ["/anthropic/v1/models", (b: Json) => b.data.map((m: Json) => m.id)],
    ["/v1beta/models", (b: Json) => b.models.map((m: Json) => m.name.replace("models/", ""))],
  ] as const)("%s lists only the models a restricted key may use", async (path, ids) => {
    const res = await get(path, { authorization: `Bearer ${restricted}` });
    expect(res.status).toBe(200);
    expect(ids((await res.json()) as Json).sort()).toEqual(["gem-x", "gpt-x"]);
  });

  it("a model list needs a key", async () => {
    const res = await fetch(`${gw.url}/v1/models`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as Json).error.type).toBe("authentication_error");
  });
});

describe("count_tokens", () => {
  const count = (model: string, path = "/v1/messages/count_tokens") =>
    post(gw, path, { model, messages: [{ role: "user", content: "hello there, how are you?" }] });

  it.each(["/v1/messages/count_tokens", "/anthropic/v1/messages/count_tokens"])(
    "%s is forwarded to the model's Anthropic link",
    async (path) => {
      const res = await count("claude-x", path);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ input_tokens: 42 });
      expect(res.headers.get("x-llmio-token-estimate")).toBeNull();
      expect(last().path).toBe("/v1/messages/count_tokens");
      expect(last().model).toBe("up-claude");
      expect(last().headers["x-api-key"]).toBe("key-an");
    },
  );

  it("is estimated locally, and says so, when the model has no Anthropic link", async () => {
    const before = up.seen.length;
    const res = await count("gpt-x");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-llmio-token-estimate")).toBe("true");
    const body = (await res.json()) as Json;
    expect(body.estimated).toBe(true);
    expect(body.input_tokens).toBeGreaterThan(0);
    expect(up.seen.length).toBe(before);
  });

  it("answers 404 in Anthropic's shape for an unknown model", async () => {
    const res = await count("nope");
    expect(res.status).toBe(404);
    expect(((await res.json()) as Json).error.type).toBe("not_found_error");
  });
});

describe("routing follows configuration", () => {
  it.each([
    ["/v1/messages", "anthropic", "gpt-x", "openai"],
    ["/v1/chat/completions", "openai", "claude-x", "anthropic"],
    ["/v1/responses", "openai-responses", "gpt-x", "openai"],
    [`/v1beta/models/gpt-x:generateContent`, "gemini", "gpt-x", "openai"],
  ] as const)(
    "%s for a model whose links speak another protocol is translated, and says so",
    async (path, style, model, upstream) => {
      const { body } = minimalRequest(style, model, false);
      const res = await post(gw, path, body);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-llmio-upstream-protocol")).toBe(upstream);
      expect(last().style).toBe(upstream);
    },
  );

  it("keeps serving after a partial admin update of provider, model and link (nothing else changes)", async () => {
    const api = async (method: string, path: string, body: unknown) => {
      const res = await fetch(`${gw.url}/api${path}`, { method, headers: AUTH, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      return (await res.json()) as Json;
    };
    const { provider, link } = gw.link({
      model: "partial",
      provider: "partial-an",
      type: "anthropic",
      baseUrl: up.url,
      providerModel: "up-partial",
      modelOptions: { strategy: "priority" },
      link: { currency: "CNY" },
    });
    const modelId = link.model_id;
    expect((await api("PUT", `/providers/${provider.id}`, { enabled: false })).type).toBe("anthropic");
    expect((await api("PUT", `/providers/${provider.id}`, { enabled: true })).type).toBe("anthropic");
    expect((await api("PUT", `/models/${modelId}`, { remark: "r" })).strategy).toBe("priority");
    expect((await api("PUT", `/model-providers/${link.id}`, { weight: 3 })).currency).toBe("CNY");
    const res = await post(gw, "/v1/messages", minimalRequest("anthropic", "partial", false).body);
    expect(res.status).toBe(200);
    expect(last().model).toBe("up-partial");
  });

  it("serves a link created through the admin API at once, and stops when its provider is disabled", async () => {
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${gw.url}/api${path}`, {
        method,
        headers: AUTH,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const prov = (await (
      await api("POST", "/providers", { name: "live", type: "openai", base_url: up.url, api_key: "key-live" })
    ).json()) as Json;
    const model = (await (await api("POST", "/models", { name: "live-model" })).json()) as Json;
    const call = () => post(gw, "/v1/chat/completions", minimalRequest("openai", "live-model", false).body);

    // The model exists but has no link yet.
    expect((await call()).status).toBe(503);

    const link = await api("POST", "/model-providers", {
      model_id: model.id,
      provider_id: prov.id,
      provider_model: "up-live",
    });
    expect(link.status).toBe(201);
    const ok = await call();
    expect(ok.status).toBe(200);
    expect(last().model).toBe("up-live");
    expect(last().headers.authorization).toBe("Bearer key-live");

    expect((await api("PUT", `/providers/${prov.id}`, { enabled: false })).status).toBe(200);
    const before = up.seen.length;
    const off = await call();
    expect(off.status).toBe(503);
    expect(((await off.json()) as Json).error.message).toContain("no enabled provider");
    expect(up.seen.length).toBe(before);

    expect((await api("DELETE", `/models/${model.id}`)).status).toBeLessThan(300);
    expect((await call()).status).toBe(404);
  });
});
