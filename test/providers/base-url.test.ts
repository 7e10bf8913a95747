import { describe, expect, it } from "bun:test";
import { isHttpUrl, normalizeBaseUrl } from "../../src/providers/base-url";
import type { ProviderType } from "../../src/storage/schema";

describe("normalizeBaseUrl", () => {
  it.each<[ProviderType, string, string]>([
    ["openai", "https://api.openai.com", "https://api.openai.com/v1"],
    ["openai", "https://api.openai.com/", "https://api.openai.com/v1"],
    ["openai", "https://api.openai.com/v1", "https://api.openai.com/v1"],
    ["openai", "https://api.openai.com/v1///", "https://api.openai.com/v1"],
    ["openai", "  https://api.openai.com/v1  ", "https://api.openai.com/v1"],
    ["openai", "https://openrouter.ai/api", "https://openrouter.ai/api/v1"],
    ["openai", "https://open.bigmodel.cn/api/paas/v4", "https://open.bigmodel.cn/api/paas/v4"],
    ["openai", "https://ark.example.com/api/v3/", "https://ark.example.com/api/v3"],
    ["openai", "http://127.0.0.1:8080", "http://127.0.0.1:8080/v1"],
    ["openai", "https://example.com/version", "https://example.com/version/v1"],
    ["openai-responses", "https://api.openai.com", "https://api.openai.com/v1"],
    ["anthropic", "https://api.anthropic.com", "https://api.anthropic.com/v1"],
    ["anthropic", "https://api.anthropic.com/V1", "https://api.anthropic.com/V1"],
    [
      "gemini",
      "https://generativelanguage.googleapis.com",
      "https://generativelanguage.googleapis.com/v1beta",
    ],
    [
      "gemini",
      "https://generativelanguage.googleapis.com/v1",
      "https://generativelanguage.googleapis.com/v1",
    ],
    [
      "gemini",
      "https://generativelanguage.googleapis.com/v1beta/",
      "https://generativelanguage.googleapis.com/v1beta",
    ],
    ["gemini", "https://proxy.example.com/google", "https://proxy.example.com/google/v1beta"],
  ])("%s %p → %p", (type, input, expected) => {
    expect(normalizeBaseUrl(type, input)).toBe(expected);
  });
});

describe("isHttpUrl", () => {
  it.each([
    ["https://api.example.com", true],
    ["http://127.0.0.1:1234/v1", true],
    ["ftp://example.com", false],
    ["socks5://127.0.0.1:1080", false],
    ["api.example.com", false],
    ["not a url", false],
    ["", false],
  ])("%p → %p", (value, expected) => {
    expect(isHttpUrl(value)).toBe(expected);
  });
});
