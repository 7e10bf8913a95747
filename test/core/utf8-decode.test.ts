import { describe, expect, it } from "bun:test";
import { decodeUtf8 } from "../../src/core/utf8";

const reference = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("decodeUtf8 reads large bodies as TextDecoder does", () => {
  const text = `{"c":"${"héllo ☃ wörld 日本語 𝄞 ".repeat(400)}"}`;
  const bytes = new TextEncoder().encode(text);

  it("decodes small and large text alike", () => {
    expect(bytes.length).toBeGreaterThan(4096);
    expect(decodeUtf8(bytes)).toBe(text);
    expect(decodeUtf8(bytes.subarray(0, 100))).toBe(reference(bytes.subarray(0, 100)));
  });

  it("drops a leading byte-order mark and replaces invalid sequences with U+FFFD", () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
    expect(decodeUtf8(withBom)).toBe(reference(withBom));
    expect(decodeUtf8(withBom)).toBe(text);
    const broken = new Uint8Array(bytes);
    broken[2000] = 0xff;
    broken[3001] = 0xc3;
    // a character cut at the end
    const cut = bytes.subarray(0, bytes.length - 3);
    expect(decodeUtf8(broken)).toBe(reference(broken));
    expect(decodeUtf8(cut)).toBe(reference(cut));
  });

  it("reads a view into a larger buffer from its own offset", () => {
    const outer = new Uint8Array(bytes.length + 20);
    outer.set(bytes, 10);
    expect(decodeUtf8(outer.subarray(10, 10 + bytes.length))).toBe(text);
  });
});
