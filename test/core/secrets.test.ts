import { describe, expect, it } from "bun:test";
import {
  maskSecret,
  maskUrlCredentials,
  matchesHash,
  randomToken,
  safeEqual,
  sha256Hex,
  unmaskUrlCredentials,
} from "../../src/core/secrets";

describe("maskSecret", () => {
  it.each([
    ["", ""],
    ["abc", "********"],
    ["sk-1234567", "********"],
    ["sk-12345678901ab", "sk-…01ab"],
    ["sk-proj-abcdefghijklmnopqrstuvwxyz", "sk-…wxyz"],
  ])("masks %p as %p", (value, masked) => {
    expect(maskSecret(value)).toBe(masked);
  });

  it("never reveals more than 7 characters of any key", () => {
    for (let len = 1; len <= 64; len++) {
      const key = "k".repeat(len);
      const shown = maskSecret(key).replaceAll(/[*…]/g, "");
      expect(shown.length).toBeLessThanOrEqual(Math.min(7, Math.floor(len / 2)));
    }
  });
});

describe("safeEqual", () => {
  it.each([
    ["same strings", "token-abc", "token-abc", true],
    ["different strings of equal length", "token-abc", "token-abd", false],
    ["different lengths", "token", "token-abc", false],
    ["a prefix", "tok", "token", false],
    ["empty against non-empty", "", "x", false],
    ["both empty", "", "", true],
    ["unicode", "pässwörd", "pässwörd", true],
  ])("compares %s", (_what, a, b, equal) => {
    expect(safeEqual(a, b)).toBe(equal);
  });
});

describe("matchesHash", () => {
  const secret = "llmio-secret";
  const hash = sha256Hex(secret);

  it.each([
    ["the secret against its hash", secret, hash, true],
    ["the secret against an upper-case hash", secret, hash.toUpperCase(), true],
    ["another secret", "llmio-other", hash, false],
    ["the hash itself as the secret", hash, hash, false],
    ["a truncated hash", secret, hash.slice(0, 32), false],
    ["a non-hex hash", secret, "zz".repeat(32), false],
    ["an empty hash", secret, "", false],
  ])("matches %s: %p", (_what, presented, stored, expected) => {
    expect(matchesHash(presented, stored)).toBe(expected);
  });

  it("sha256Hex is the standard lower-case hex digest", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("randomToken", () => {
  it("returns url-safe tokens that differ every call", () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(randomToken()).not.toBe(a);
  });
});

describe("maskUrlCredentials / unmaskUrlCredentials", () => {
  it.each([
    ["https://u:p@host/v1", "https://***:***@host/v1"],
    ["https://key@host", "https://***@host"],
    ["https://:p@host", "https://:***@host"],
    ["https://host/v1/@scope?x=a@b", "https://host/v1/@scope?x=a@b"],
    ["https://host", "https://host"],
    ["not a url", "not a url"],
  ])("%s is shown as %s", (url, shown) => {
    expect(maskUrlCredentials(url)).toBe(shown);
  });

  it("puts the stored credentials back only where the mask of them was sent", () => {
    const stored = "https://u:p@host/v1";
    expect(unmaskUrlCredentials("https://***:***@other/v2", stored)).toBe("https://u:p@other/v2");
    expect(unmaskUrlCredentials("https://***@host/v1", stored)).toBe("https://***@host/v1");
    expect(unmaskUrlCredentials("https://x:y@host/v1", stored)).toBe("https://x:y@host/v1");
    expect(unmaskUrlCredentials("https://***:***@host", "https://host")).toBe("https://***:***@host");
  });
});
