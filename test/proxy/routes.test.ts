import { describe, expect, it } from "bun:test";
import { TEST_TOKEN } from "../helpers/app";
import type { SeenRequest } from "../helpers/fake-upstream";
import { startFourLinked } from "../helpers/fixture";
import { AUTH, addKey, type ClientStyle, FOUR, minimalRequest, post, readSse } from "../helpers/gateway";

const { up, gw } = startFourLinked();

type Json = Record<string, any>;

/** The path of every client route: its protocol, its prefix form, and the body for that protocol. */
const ROUTES: [string, ClientStyle][] = [
  ["/v1/chat/completions", "openai"],
  ["/openai/v1/chat/completions", "openai"],
  ["/v1/responses", "openai-responses"],
  ["/openai/v1/responses", "openai-responses"],
  ["/v1/messages", "anthropic"],
  ["/anthropic/v1/messages", "anthropic"],
  ["/v1beta/models/{m}", "gemini"],
  ["/gemini/v1beta/models/{m}", "gemini"],
];
const TABLE = ROUTES.flatMap(([path, style]) => [
  [path, style, false] as const,
  [path, style, true] as const,
]);

function pathFor(route: string, style: ClientStyle, stream: boolean): string {
  if (style !== "gemini") return route;
  return `${route.replace("{m}", FOUR.gemini.model)}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`;
}

/** Asserts a whole response body of a protocol carries the fake upstream's text. */
function expectBodyShape(style: ClientStyle, body: Json) {
  switch (style) {
    case "openai":
      expect(body.object).toBe("chat.completion");
      expect(body.choices[0].message.content).toContain("fake upstream");
      expect(body.usage.completion_tokens).toBe(7);
      break;
    case "openai-responses":
      expect(body.object).toBe("response");
      expect(body.status).toBe("completed");
      expect(body.output[0].content[0].text).toContain("fake upstream");
      break;
    case "anthropic":
      expect(body.type).toBe("message");
      expect(body.content[0].text).toContain("fake upstream");
      expect(body.stop_reason).toBe("end_turn");
      break;
    case "gemini":
      expect(body.candidates[0].content.parts[0].text).toContain("fake upstream");
      expect(body.usageMetadata.candidatesTokenCount).toBeGreaterThan(0);
      break;
  }
}

/** Asserts the SSE events of a protocol: its own event sequence, reassembling to the fake's text. */
function expectStreamShape(style: ClientStyle, events: { event?: string; data: string }[]) {
  const json = (d: string) => JSON.parse(d) as Json;
  switch (style) {
    case "openai": {
      expect(events.at(-1)?.data).toBe("[DONE]");
      const chunks = events.slice(0, -1).map((e) => json(e.data));
      expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
      expect(chunks[0]?.choices[0].delta.role).toBe("assistant");
      const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
      expect(text).toContain("fake upstream");
      break;
    }
    case "openai-responses": {
      const names = events.map((e) => e.event);
      expect(names[0]).toBe("response.created");
      expect(names.at(-1)).toBe("response.completed");
      expect(names).toContain("response.output_text.delta");
      expect(json(events.at(-1)?.data ?? "{}").response.usage.output_tokens).toBe(7);
      break;
    }
    case "anthropic": {
      const names = events.map((e) => e.event);
      expect(names[0]).toBe("message_start");
      expect(names).toContain("content_block_delta");
      expect(names).toContain("message_delta");
      expect(names.at(-1)).toBe("message_stop");
      const text = events
        .filter((e) => e.event === "content_block_delta")
        .map((e) => json(e.data).delta.text)
        .join("");
      expect(text).toContain("fake upstream");
      break;
    }
    case "gemini": {
      const chunks = events.map((e) => json(e.data));
      expect(chunks.length).toBeGreaterThan(1);
      expect(chunks.every((c) => Array.isArray(c.candidates))).toBe(true);
      expect(chunks.at(-1)?.candidates[0].finishReason).toBe("STOP");
      const text = chunks.map((c) => c.candidates[0].content.parts[0].text).join("");
      expect(text).toContain("fake upstream");
      break;
    }
  }
}

/** Asserts the upstream got the provider's model, the provider's credentials, and nothing of the client's key. */
function expectUpstreamCall(style: ClientStyle, seen: SeenRequest, stream: boolean, clientKey: string) {
  const f = FOUR[style];
  expect(seen.style).toBe(style);
  expect(seen.model).toBe(f.providerModel);
  expect(seen.stream).toBe(stream);
  const h = seen.headers;
  switch (style) {
    case "openai":
    case "openai-responses":
      expect(h.authorization).toBe(`Bearer key-${f.provider}`);
      expect(h["x-api-key"]).toBeUndefined();
      break;
    case "anthropic":
      expect(h["x-api-key"]).toBe(`key-${f.provider}`);
      expect(h["anthropic-version"]).toBe("2023-06-01");
      expect(h.authorization).toBeUndefined();
      break;
    case "gemini":
      expect(h["x-goog-api-key"]).toBe(`key-${f.provider}`);
      expect(h.authorization).toBeUndefined();
      expect(seen.path).toEndWith(stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
      break;
  }
  if (style !== "gemini") expect(seen.body.model).toBe(f.providerModel);
  const everything = JSON.stringify(h) + seen.path;
  expect(everything).not.toContain(clientKey);
}

describe("client routes", () => {
  it.each(TABLE)(
    "%s (%s, stream=%p) answers in its protocol and calls the upstream right",
    async (route, style, stream) => {
      const { body } = minimalRequest(style, FOUR[style].model, stream);
      const before = up.seen.length;
      const res = await post(gw, pathFor(route, style, stream), body);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.get("server-timing")).toMatch(/^gateway;dur=\d+(\.\d+)?$/);
      if (stream) {
        expect(res.headers.get("content-type")).toStartWith("text/event-stream");
        expectStreamShape(style, await readSse(res));
      } else {
        expect(res.headers.get("content-type")).toStartWith("application/json");
        expectBodyShape(style, (await res.json()) as Json);
      }
      expect(up.seen.length).toBe(before + 1);
      expectUpstreamCall(style, up.seen.at(-1) as SeenRequest, stream, TEST_TOKEN);
    },
  );
});

describe("client keys", () => {
  const KEY_PLACES: [string, (key: string) => { headers: Record<string, string>; query: string }][] = [
    ["Authorization: Bearer", (k) => ({ headers: { authorization: `Bearer ${k}` }, query: "" })],
    ["x-api-key", (k) => ({ headers: { "x-api-key": k }, query: "" })],
    ["x-goog-api-key", (k) => ({ headers: { "x-goog-api-key": k }, query: "" })],
    ["?key=", (k) => ({ headers: {}, query: `key=${encodeURIComponent(k)}` })],
  ];
  const STYLES: ClientStyle[] = ["openai", "openai-responses", "anthropic", "gemini"];
  const cases = KEY_PLACES.flatMap(([place, build]) => STYLES.map((s) => [place, s, build] as const));

  it.each(cases)(
    "accepts a client key from %s on the %s route, and never forwards it",
    async (_place, style, build) => {
      const { key } = addKey(gw);
      const { path, body } = minimalRequest(style, FOUR[style].model, false);
      const { headers, query } = build(key);
      const url = query ? `${path}${path.includes("?") ? "&" : "?"}${query}` : path;
      const res = await post(gw, url, body, { "content-type": "application/json", ...headers });
      expect(res.status).toBe(200);
      expectUpstreamCall(style, up.seen.at(-1) as SeenRequest, false, key);
    },
  );

  it("accepts the admin token as a key and rejects a wrong one with 401", async () => {
    const { path, body } = minimalRequest("openai", FOUR.openai.model, false);
    expect((await post(gw, path, body, AUTH)).status).toBe(200);
    const bad = await post(gw, path, body, {
      authorization: "Bearer nope",
      "content-type": "application/json",
    });
    expect(bad.status).toBe(401);
  });
});
