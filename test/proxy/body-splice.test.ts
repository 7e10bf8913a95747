import { afterAll, describe, expect, it } from "bun:test";
import { type SeenRequest, startFakeUpstream } from "../helpers/fake-upstream";
import { upstreamBodyScratch } from "../../src/core/scratch";
import { startFourLinked } from "../helpers/fixture";
import { AUTH, FOUR, post, readSse } from "../helpers/gateway";

const { up, gw } = startFourLinked();
const last = () => up.seen.at(-1) as SeenRequest;
type Json = Record<string, any>;

// Long enough (≥ 512 bytes) for the pass-through to splice the routed model into the client's own bytes.
const LONG = `${'a long prompt with "quotes", {braces} and [brackets] — ünïcödé ☃ '.repeat(40)}`;

describe("pass-through of large bodies: the routed model spliced into the client's bytes", () => {
  for (const style of ["openai", "anthropic"] as const) {
    gw.link({
      model: `splice-${style}`,
      provider: FOUR[style].provider,
      type: style,
      baseUrl: up.url,
      providerModel: `up-spliced-${style}`,
    });
  }

  it("sends an OpenAI stream upstream with the link's model and the usage flag, the rest unchanged", async () => {
    const raw = `{\n  "messages": [{"role": "user", "content": ${JSON.stringify(LONG)}}],\n  "model" : "splice-openai",\n  "stream": true,\n  "max_tokens": 9\n}`;
    const res = await post(gw, "/v1/chat/completions", raw);
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events.at(-1)?.data).toBe("[DONE]");
    const seen = last();
    expect(seen.model).toBe("up-spliced-openai");
    expect(seen.body).toEqual({
      model: "up-spliced-openai",
      messages: [{ role: "user", content: LONG }],
      stream: true,
      max_tokens: 9,
      stream_options: { include_usage: true },
    });
    // Usage was still read for the record and hidden from the client, which did not ask for it.
    expect(events.some((e) => e.data !== "[DONE]" && (JSON.parse(e.data) as Json).usage)).toBe(false);
  });

  it("sends an Anthropic body upstream with only the model changed", async () => {
    const body = {
      model: "splice-anthropic",
      max_tokens: 16,
      system: LONG,
      messages: [{ role: "user", content: [{ type: "text", text: LONG }] }],
    };
    const res = await post(gw, "/v1/messages", body, { ...AUTH, "anthropic-version": "2023-06-01" });
    expect(res.status).toBe(200);
    expect(last().body).toEqual({ ...body, model: "up-spliced-anthropic" });
  });

  it("never lets a second, escaped model key reach the upstream with the client's name", async () => {
    // JSON.parse reads the last key: the request routes as splice-openai, and so must the upstream read it.
    const raw = `{"model":"not-routed","mod\\u0065l":"splice-openai","messages":[{"role":"user","content":${JSON.stringify(LONG)}}]}`;
    const res = await post(gw, "/v1/chat/completions", raw);
    expect(res.status).toBe(200);
    expect(last().model).toBe("up-spliced-openai");
    expect(JSON.stringify(last().body)).not.toContain("not-routed");
  });
});

// Past LONG_STRING (64 KiB) a string is left out of the outline the gateway routes by.
const PROMPT = `${'a prompt long enough to be read as an outline \\ "quoted" \n ünïcödé ☃ '.repeat(2000)}`;

describe("bodies with long strings: routed from an outline, sent on whole", () => {
  gw.link({
    model: "outline-openai",
    provider: FOUR.openai.provider,
    type: "openai",
    baseUrl: up.url,
    providerModel: "up-outline",
  });
  // extra_body changes a field the client sent: the bytes cannot be spliced, the body is serialised again.
  gw.link({
    model: "outline-extra",
    provider: FOUR.openai.provider,
    type: "openai",
    baseUrl: up.url,
    providerModel: "up-outline-extra",
    link: { extra_body: { max_tokens: 5 } },
  });
  // An Anthropic client on this OpenAI-chat link is translated: from the whole body.
  gw.link({
    model: "outline-x",
    provider: FOUR.openai.provider,
    type: "openai",
    baseUrl: up.url,
    providerModel: "up-outline-x",
  });

  it("passes a 64 KiB+ prompt through byte for byte but the model", async () => {
    const body = { model: "outline-openai", messages: [{ role: "user", content: PROMPT }], user: "u-1" };
    const res = await post(gw, "/v1/chat/completions", body);
    expect(res.status).toBe(200);
    expect(last().body).toEqual({ ...body, model: "up-outline" });
    await gw.flush();
    expect(gw.logs()[0]?.session_id).toBe("u-1");
  });

  it("serialises the whole body, not the outline, when the bytes cannot be spliced", async () => {
    const body = { model: "outline-extra", messages: [{ role: "user", content: PROMPT }], max_tokens: 9 };
    const res = await post(gw, "/v1/chat/completions", body);
    expect(res.status).toBe(200);
    expect(last().body).toEqual({ ...body, model: "up-outline-extra", max_tokens: 5 });
  });

  it("translates from the whole body", async () => {
    const body = { model: "outline-x", max_tokens: 16, messages: [{ role: "user", content: PROMPT }] };
    const res = await post(gw, "/v1/messages", body, { ...AUTH, "anthropic-version": "2023-06-01" });
    expect(res.status).toBe(200);
    expect(last().path).toEndWith("/chat/completions");
    expect((last().body as Json).messages).toEqual([{ role: "user", content: PROMPT }]);
  });

  it("reads a session id that long from the whole body", async () => {
    const user = `u-${"x".repeat(70_000)}`;
    const body = { model: "outline-openai", messages: [{ role: "user", content: "hi" }], user };
    expect((await post(gw, "/v1/chat/completions", body)).status).toBe(200);
    await gw.flush();
    expect(gw.logs()[0]?.session_id).toBe(user);
  });

  const escaped = JSON.stringify(PROMPT).slice(1, -1);
  it.each([
    ["a raw control byte", `${escaped}\u0001`],
    ["an unknown escape", `${escaped}\\x`],
    ["a short \\u escape", `${escaped}\\u12`],
  ])("refuses a long string with %s as invalid JSON (400), as a short one", async (_, content) => {
    const raw = `{"model":"outline-openai","messages":[{"role":"user","content":"${content}"}]}`;
    const before = up.seen.length;
    const res = await post(gw, "/v1/chat/completions", raw);
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error.message).toBe("request body is not valid JSON");
    expect(up.seen.length).toBe(before);
  });
});

describe("large spliced bodies share one scratch buffer, never one body", () => {
  gw.link({
    model: "scratch-openai",
    provider: FOUR.openai.provider,
    type: "openai",
    baseUrl: up.url,
    providerModel: "up-scratch",
  });

  it("sends concurrent 64 KiB+ bodies upstream each with its own content, and frees the buffer after", async () => {
    // Bodies of one size (so each fits the buffer the one before used) and different contents, all in flight
    // at once: a buffer lent to one body and written by another before the upstream call copied it would
    // show here as a body with another's prompt.
    const bodies = Array.from({ length: 12 }, (_, i) => ({
      model: "scratch-openai",
      messages: [{ role: "user", content: `${String.fromCharCode(97 + i)}☃ `.repeat(30_000) }],
      user: `scratch-${i}`,
    }));
    const responses = await Promise.all(bodies.map((b) => post(gw, "/v1/chat/completions", b)));
    expect(responses.map((r) => r.status)).toEqual(bodies.map(() => 200));
    for (const body of bodies) {
      const seen = up.seen.find((r) => (r.body as Json | undefined)?.user === body.user);
      expect(seen?.body).toEqual({ ...body, model: "up-scratch" });
    }
    expect(upstreamBodyScratch.lent).toBe(false);
  });
});

describe("a large body that fails over is spliced again for the next link", () => {
  const failing = startFakeUpstream({ "up-big-fail": { kind: "status", status: 500 } });
  afterAll(() => failing.stop());
  gw.link({
    model: "big-failover",
    provider: "big-failing",
    type: "openai",
    baseUrl: failing.url,
    providerModel: "up-big-fail",
    priority: 10,
    modelOptions: { strategy: "priority" },
  });
  gw.link({
    model: "big-failover",
    provider: FOUR.openai.provider,
    type: "openai",
    baseUrl: up.url,
    providerModel: "up-big-ok",
    priority: 1,
  });

  it("sends each link the client's bytes with that link's model", async () => {
    const body = { model: "big-failover", messages: [{ role: "user", content: PROMPT }], user: "failover-1" };
    const res = await post(gw, "/v1/chat/completions", body);
    expect(res.status).toBe(200);
    expect(failing.seen.at(-1)?.body).toEqual({ ...body, model: "up-big-fail" });
    expect(last().body).toEqual({ ...body, model: "up-big-ok" });
    expect(upstreamBodyScratch.lent).toBe(false);
  });
});
