import { describe, expect, it } from "bun:test";
import Anthropic, { APIError as AnthropicAPIError } from "@anthropic-ai/sdk";
import OpenAI, { APIError } from "openai";
import { TEST_TOKEN } from "../helpers/app";
import { FAKE_USAGE } from "../helpers/fake-upstream";
import { startFourLinked } from "../helpers/fixture";
import { addKey } from "../helpers/gateway";

const { gw } = startFourLinked();

const openai = (apiKey = TEST_TOKEN) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey, maxRetries: 0 });
const MESSAGES = [{ role: "user" as const, content: "hi" }];

describe("official openai SDK", () => {
  it("creates a chat completion", async () => {
    const res = await openai().chat.completions.create({ model: "gpt-x", messages: MESSAGES });
    expect(res.object).toBe("chat.completion");
    expect(res.choices[0]?.message.content).toBe("Hello from the fake upstream!");
    expect(res.usage?.completion_tokens).toBe(FAKE_USAGE.output);
  });

  it("streams a chat completion without a usage chunk unless asked", async () => {
    const stream = await openai().chat.completions.create({
      model: "gpt-x",
      messages: MESSAGES,
      stream: true,
    });
    let text = "";
    let usageChunks = 0;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usageChunks++;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text).toBe("Hello from the fake upstream!");
    expect(usageChunks).toBe(0);
  });

  it("streams a chat completion with the usage chunk when stream_options.include_usage asks", async () => {
    const stream = await openai().chat.completions.create({
      model: "gpt-x",
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
    });
    const usage: OpenAI.CompletionUsage[] = [];
    for await (const chunk of stream) if (chunk.usage) usage.push(chunk.usage);
    expect(usage).toHaveLength(1);
    expect(usage[0]?.prompt_tokens).toBe(FAKE_USAGE.input + FAKE_USAGE.cached);
    expect(usage[0]?.completion_tokens).toBe(FAKE_USAGE.output);
  });

  it("creates a response", async () => {
    const res = await openai().responses.create({ model: "resp-x", input: "hi" });
    expect(res.status).toBe("completed");
    expect(res.output_text).toBe("Hello from the fake upstream!");
    expect(res.usage?.output_tokens).toBe(FAKE_USAGE.output);
  });

  it("streams a response", async () => {
    const stream = await openai().responses.create({ model: "resp-x", input: "hi", stream: true });
    const types: string[] = [];
    let text = "";
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") completed = event.response;
    }
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    expect(text).toBe("Hello from the fake upstream!");
    expect(completed?.usage?.output_tokens).toBe(FAKE_USAGE.output);
  });

  it("streams a response through the responses.stream helper to its final response", async () => {
    const stream = openai().responses.stream({ model: "resp-x", input: "hi" });
    let text = "";
    stream.on("response.output_text.delta", (e) => {
      text += e.delta;
    });
    const final = await stream.finalResponse();
    expect(text).toBe("Hello from the fake upstream!");
    expect(final.output_text).toBe("Hello from the fake upstream!");
    expect(final.usage?.input_tokens).toBe(FAKE_USAGE.input + FAKE_USAGE.cached);
  });

  it("lists models", async () => {
    const ids: string[] = [];
    for await (const m of openai().models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(["gpt-x", "resp-x", "claude-x", "gem-x"]));
  });

  it("surfaces an unknown model as a typed 404 NotFoundError", async () => {
    const err = await openai()
      .chat.completions.create({ model: "no-such-model", messages: MESSAGES })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as APIError).status).toBe(404);
    expect((err as APIError).message).toContain("no-such-model");
    expect((err as APIError).requestID).toBeTruthy();
  });

  it("surfaces a bad key as a typed 401 AuthenticationError", async () => {
    const err = await openai("sk-llmio-wrong")
      .chat.completions.create({ model: "gpt-x", messages: MESSAGES })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as APIError).status).toBe(401);
  });

  it("surfaces a model outside a restricted key's list as a typed 403 PermissionDeniedError", async () => {
    const { key } = addKey(gw, { models: ["resp-x"] });
    const err = await openai(key)
      .chat.completions.create({ model: "gpt-x", messages: MESSAGES })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
  });
});

describe.each([
  ["official @anthropic-ai/sdk at the root", ""],
  ["official @anthropic-ai/sdk under /anthropic", "/anthropic"],
])("%s", (_name, prefix) => {
  const anthropic = (apiKey = TEST_TOKEN) =>
    new Anthropic({ baseURL: gw.url + prefix, apiKey, maxRetries: 0 });
  const params = { model: "claude-x", max_tokens: 32, messages: MESSAGES };

  it("creates a message", async () => {
    const msg = await anthropic().messages.create(params);
    expect(msg.type).toBe("message");
    expect(msg.content[0]?.type === "text" && msg.content[0].text).toBe("Hello from the fake upstream!");
    expect(msg.usage.input_tokens).toBe(FAKE_USAGE.input);
    expect(msg.usage.cache_read_input_tokens).toBe(FAKE_USAGE.cached);
  });

  it("streams a message, with usage on the final message", async () => {
    const stream = anthropic().messages.stream(params);
    let text = "";
    stream.on("text", (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text).toBe("Hello from the fake upstream!");
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBe(FAKE_USAGE.output);
    expect(final.usage.input_tokens).toBe(FAKE_USAGE.input);
    expect(final.usage.cache_creation_input_tokens).toBe(FAKE_USAGE.cacheWrite);
  });

  it("counts tokens through the Anthropic link", async () => {
    const res = await anthropic().messages.countTokens({ model: "claude-x", messages: MESSAGES });
    expect(res.input_tokens).toBe(42);
  });

  it("surfaces an unknown model as a typed 404 NotFoundError", async () => {
    const err = await anthropic()
      .messages.create({ ...params, model: "no-such-model" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect((err as AnthropicAPIError).status).toBe(404);
    expect((err as AnthropicAPIError).message).toContain("no-such-model");
  });

  it("surfaces a bad key as a typed 401 AuthenticationError", async () => {
    const err = await anthropic("sk-llmio-wrong")
      .messages.create(params)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((err as AnthropicAPIError).status).toBe(401);
  });

  it("lists models", async () => {
    const ids: string[] = [];
    for await (const m of anthropic().models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(["gpt-x", "claude-x"]));
  });
});
