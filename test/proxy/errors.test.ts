import { describe, expect, it } from "bun:test";
import { startFourLinked } from "../helpers/fixture";
import { AUTH, addKey, type ClientStyle, FOUR, minimalRequest, post } from "../helpers/gateway";

const LIMIT = 1024;
const { up, gw } = startFourLinked({ config: { bodyLimit: LIMIT } });

type Json = Record<string, any>;

/** Each client protocol with the route it is called on (non-stream). */
const PROTOCOLS: [string, ClientStyle, string][] = [
  ["OpenAI chat", "openai", "/v1/chat/completions"],
  ["OpenAI responses", "openai-responses", "/openai/v1/responses"],
  ["Anthropic", "anthropic", "/anthropic/v1/messages"],
  ["Gemini", "gemini", `/v1beta/models/${FOUR.gemini.model}:generateContent`],
];

const GEMINI_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  413: "INVALID_ARGUMENT",
};
const ANTHROPIC_TYPE: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
};
const OPENAI_TYPE: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "invalid_request_error",
  413: "invalid_request_error",
};

/** Asserts status, `x-request-id` and the protocol's own error body; returns the message. */
async function expectError(res: Response, style: ClientStyle, status: number): Promise<string> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toStartWith("application/json");
  const body = (await res.json()) as Json;
  switch (style) {
    case "openai":
    case "openai-responses":
      expect(Object.keys(body)).toEqual(["error"]);
      expect(body.error.type).toBe(OPENAI_TYPE[status]);
      expect(typeof body.error.code).toBe("string");
      expect(typeof body.error.message).toBe("string");
      return body.error.message;
    case "anthropic":
      expect(body.type).toBe("error");
      expect(body.error.type).toBe(ANTHROPIC_TYPE[status]);
      expect(typeof body.error.message).toBe("string");
      return body.error.message;
    case "gemini":
      expect(body.error.code).toBe(status);
      expect(body.error.status).toBe(GEMINI_STATUS[status]);
      expect(typeof body.error.message).toBe("string");
      return body.error.message;
  }
}

const JSON_ONLY = { "content-type": "application/json" };
const withKey = (key: string) => ({ ...JSON_ONLY, authorization: `Bearer ${key}` });
const valid = (style: ClientStyle) => minimalRequest(style, FOUR[style].model, false).body;

describe.each(PROTOCOLS)("%s errors", (_name, style, path) => {
  it("401 without a key", async () => {
    const res = await post(gw, path, valid(style), JSON_ONLY);
    expect(await expectError(res, style, 401)).toContain("missing");
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.headers.get("server-timing")).toMatch(/^gateway;dur=/);
  });

  it("401 for an unknown key", async () => {
    expect(
      await expectError(await post(gw, path, valid(style), withKey("sk-llmio-nope")), style, 401),
    ).toContain("invalid");
  });

  it("401 for a disabled key", async () => {
    const { key } = addKey(gw, { enabled: false });
    expect(await expectError(await post(gw, path, valid(style), withKey(key)), style, 401)).toContain(
      "disabled",
    );
  });

  it("401 for an expired key, while one expiring later works", async () => {
    const { key } = addKey(gw, { expiresAt: Date.now() - 1000 });
    expect(await expectError(await post(gw, path, valid(style), withKey(key)), style, 401)).toContain(
      "expired",
    );
    const { key: later } = addKey(gw, { expiresAt: Date.now() + 3_600_000 });
    expect((await post(gw, path, valid(style), withKey(later))).status).toBe(200);
  });

  it("403 for a key restricted to other models, 200 for its own", async () => {
    const { key } = addKey(gw, { models: ["some-other-model"] });
    const msg = await expectError(await post(gw, path, valid(style), withKey(key)), style, 403);
    expect(msg).toContain(FOUR[style].model);
    const { key: own } = addKey(gw, { models: [FOUR[style].model] });
    expect((await post(gw, path, valid(style), withKey(own))).status).toBe(200);
  });

  it("413 for a body over the limit (declared length)", async () => {
    const big = { ...valid(style), pad: "x".repeat(LIMIT) };
    const before = up.seen.length;
    expect(await expectError(await post(gw, path, big), style, 413)).toContain(String(LIMIT));
    expect(up.seen.length).toBe(before);
  });

  it("413 for a chunked body over the limit (no content-length)", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ ...valid(style), pad: "x".repeat(LIMIT * 4) }));
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 512) c.enqueue(bytes.subarray(i, i + 512));
        c.close();
      },
    });
    const res = await fetch(gw.url + path, { method: "POST", headers: AUTH, body });
    await expectError(res, style, 413);
  });

  it("400 for a body that is not JSON", async () => {
    expect(await expectError(await post(gw, path, "{not json"), style, 400)).toContain("JSON");
  });

  it.each([
    ["an array", "[1,2]"],
    ["a string", '"hello"'],
    ["null", "null"],
  ])("400 for a body that is %s", async (_what, raw) => {
    expect(await expectError(await post(gw, path, raw), style, 400)).toContain("object");
  });

  it("404 for an unknown model, naming it", async () => {
    const req =
      style === "gemini"
        ? { path: "/v1beta/models/no-such-model:generateContent", body: valid(style) }
        : { path, body: { ...valid(style), model: "no-such-model" } };
    expect(await expectError(await post(gw, req.path, req.body), style, 404)).toContain("no-such-model");
  });

  it("400 for a missing model, naming the field", async () => {
    const req =
      style === "gemini"
        ? { path: "/v1beta/models/%20:generateContent", body: valid(style) }
        : { path, body: { ...valid(style), model: undefined } };
    expect(await expectError(await post(gw, req.path, req.body), style, 400)).toContain("model");
  });
});

describe("unknown paths answer in the protocol of their prefix", () => {
  it.each([
    ["/v1/nothing-here", "openai", "POST"],
    ["/v1/chat/complete", "openai", "POST"],
    ["/openai/v1/nothing", "openai", "GET"],
    ["/v1beta/nothing", "gemini", "GET"],
    ["/v1beta/models/gem-x:embedNothing", "gemini", "POST"],
    ["/gemini/v1beta/nothing", "gemini", "POST"],
    ["/anthropic/v1/nothing", "anthropic", "POST"],
    ["/anthropic/v1/complete", "anthropic", "GET"],
  ] as const)("%s (%s, %s) → 404", async (path, style, method) => {
    const res = await fetch(gw.url + path, {
      method,
      headers: AUTH,
      ...(method === "POST" ? { body: "{}" } : {}),
    });
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(await expectError(res, style, 404)).toContain(path.split(":")[0] as string);
  });
});
