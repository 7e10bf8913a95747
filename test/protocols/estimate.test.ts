import { describe, expect, it } from "bun:test";
import { estimateEmbeddingTokens, estimateTokens } from "../../src/protocols/estimate";

describe("local token estimates", () => {
  it("grows with the text of a chat request", () => {
    const short = estimateTokens({ messages: [{ role: "user", content: "hi" }] });
    const long = estimateTokens({ messages: [{ role: "user", content: "word ".repeat(800) }] });
    expect(long).toBeGreaterThan(short + 900);
  });

  it("counts an embeddings input by its text, one string or many", () => {
    expect(estimateEmbeddingTokens("hi")).toBe(1);
    expect(estimateEmbeddingTokens("a".repeat(4000))).toBe(1000);
    expect(estimateEmbeddingTokens(["a".repeat(400), "b".repeat(400)])).toBe(200);
    expect(estimateEmbeddingTokens("你好世界")).toBe(4);
  });

  it("counts token-id inputs exactly", () => {
    expect(estimateEmbeddingTokens([1, 2, 3])).toBe(3);
    expect(
      estimateEmbeddingTokens([
        [1, 2],
        [3, 4, 5],
      ]),
    ).toBe(5);
  });
});
