import { describe, expect, it } from "bun:test";
import { transportFor, upstreamUrl, type UpstreamProvider } from "../../src/providers/registry";
import type { ProviderType } from "../../src/storage/schema";

const provider = (type: ProviderType, base_url: string): UpstreamProvider => ({
  type,
  base_url,
  api_key: "k",
  anthropic_version: null,
  headers: {},
  proxy_url: null,
});

describe("upstreamUrl", () => {
  it.each<[ProviderType, string, "generate" | "stream" | "count_tokens" | "models", string]>([
    ["openai", "https://h", "generate", "https://h/v1/chat/completions"],
    ["openai", "https://h/api/paas/v4", "stream", "https://h/api/paas/v4/chat/completions"],
    ["openai", "https://h", "models", "https://h/v1/models"],
    ["openai-responses", "https://h", "generate", "https://h/v1/responses"],
    ["anthropic", "https://h", "generate", "https://h/v1/messages"],
    ["anthropic", "https://h", "count_tokens", "https://h/v1/messages/count_tokens"],
    ["anthropic", "https://h", "models", "https://h/v1/models?limit=1000"],
    ["gemini", "https://h", "generate", "https://h/v1beta/models/g:generateContent"],
    ["gemini", "https://h", "stream", "https://h/v1beta/models/g:streamGenerateContent?alt=sse"],
    ["gemini", "https://h/v1", "count_tokens", "https://h/v1/models/g:countTokens"],
  ])("%s %s %s → %s", (type, base, op, expected) => {
    expect(upstreamUrl(provider(type, base), op, "g")).toBe(expected);
  });
});

describe("parseModels", () => {
  it.each<[ProviderType, unknown, string[]]>([
    ["openai", { data: [{ id: "a" }, {}, { id: null }, { id: "" }, { id: "b" }] }, ["a", "b"]],
    ["openai", {}, []],
    ["anthropic", { data: [{ id: "c" }, { type: "model" }] }, ["c"]],
    ["gemini", { models: [{ name: "models/g" }, {}, { name: "tunedModels/t" }] }, ["g", "tunedModels/t"]],
    ["gemini", {}, []],
  ])("%s skips entries without an id in %j", (type, body, ids) => {
    expect(transportFor(type).parseModels(body, "https://h/v1", "https://h/v1/models").ids).toEqual(ids);
  });
});
