import { describe, expect, it } from "bun:test";
import { codecFor, upstreamTokenCounter } from "../../src/protocols/registry";
import type { Style } from "../../src/protocols/types";

const STYLES: Style[] = ["openai", "openai-responses", "anthropic", "gemini"];
const pairs = STYLES.flatMap((client) => STYLES.map((upstream) => [client, upstream] as const));

describe("upstream token counting", () => {
  it.each(pairs)(
    "a %s count request can be counted by a %s link: only Anthropic by Anthropic",
    (client, upstream) => {
      const counter = upstreamTokenCounter(client, upstream);
      expect(counter !== undefined).toBe(client === "anthropic" && upstream === "anthropic");
    },
  );

  const anthropic = codecFor("anthropic").tokenCounter;

  it("sends the client's count request with the link's model", () => {
    const body = { model: "claude-x", messages: [{ role: "user", content: "hi" }] };
    expect(anthropic?.toUpstreamBody(body, "up-claude")).toEqual({ ...body, model: "up-claude" });
    expect(body.model).toBe("claude-x");
  });

  it.each([
    [{ input_tokens: 42 }, 42],
    [{ input_tokens: "42" }, undefined],
    [{}, undefined],
    [null, undefined],
  ])("reads the count from %j as %p", (answer, count) => {
    expect(anthropic?.readCount(answer)).toBe(count);
  });

  it("estimates a request locally from its messages", () => {
    const short = anthropic?.estimate({ messages: [{ role: "user", content: "hi" }] }) ?? 0;
    const long = anthropic?.estimate({ messages: [{ role: "user", content: "hi ".repeat(400) }] }) ?? 0;
    expect(short).toBeGreaterThan(0);
    expect(long).toBeGreaterThan(short);
  });
});
