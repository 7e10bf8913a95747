import { describe, expect, it } from "bun:test";
import { packToolCallId, unpackToolCallId } from "../../../src/protocols/tool-id";

describe("tool call ids that carry a Gemini thought signature", () => {
  it("leave an id without a signature unchanged", () => {
    expect(packToolCallId("call_1")).toBe("call_1");
    expect(unpackToolCallId("call_1")).toEqual({ id: "call_1" });
  });

  it("round-trip a signature with base64 padding and slashes", () => {
    const sig = "CiQB0e2Kb+/AbC==";
    const packed = packToolCallId("call_1", sig);
    expect(packed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(unpackToolCallId(packed)).toEqual({ id: "call_1", signature: sig });
  });

  it("keep ids with characters outside [A-Za-z0-9_-] within the safe alphabet", () => {
    const packed = packToolCallId("toolu:01/x", "s");
    expect(packed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(unpackToolCallId(packed).signature).toBe("s");
  });

  it("ignore a marker followed by something that is not ours", () => {
    expect(unpackToolCallId("a__llmsig_!!")).toEqual({ id: "a__llmsig_!!" });
  });
});
