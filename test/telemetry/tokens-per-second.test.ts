import { describe, expect, it } from "bun:test";
import { tokensPerSecond } from "../../src/telemetry/record";

describe("tokens per second", () => {
  it("is the output over a stream's generation time, from its first chunk to its end", () => {
    // 100 tokens between the first chunk at 500 ms and the end at 2500 ms: 50 tok/s.
    expect(tokensPerSecond(100, 2500, 500, true)).toBe(50);
  });

  it("is not given for a whole answer, whose tokens all arrive at once", () => {
    // Was 1985 tok/s: 8 tokens over the 4 ms it took to read the body.
    expect(tokensPerSecond(8, 400, 396, false)).toBeNull();
    expect(tokensPerSecond(8, 400, null, false)).toBeNull();
  });

  it("is not given for a stream without output or without a first chunk", () => {
    expect(tokensPerSecond(0, 2500, 500, true)).toBeNull();
    expect(tokensPerSecond(10, 2500, null, true)).toBeNull();
    expect(tokensPerSecond(10, 500, 500, true)).toBeNull();
  });
});
