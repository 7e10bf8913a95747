import { describe, expect, it } from "bun:test";
import { classifyStatus, matchesError, shouldFailover } from "../../src/routing/classify";
import { parseRetryAfter, retryAfterFromHeaders } from "../../src/routing/retry-after";

describe("classifyStatus", () => {
  it.each([
    [200, null],
    [204, null],
    [429, "rate_limited"],
    [401, "auth"],
    [403, "auth"],
    [404, "not_found"],
    [408, "timeout"],
    [400, "client"],
    [413, "client"],
    [422, "client"],
    [409, "client"],
    [500, "server"],
    [502, "server"],
    [503, "server"],
    [302, "server"],
  ] as const)("classifies %d as %p", (status, kind) => {
    expect(classifyStatus(status)).toBe(kind);
  });

  it("fails over on everything but client errors", () => {
    expect(shouldFailover("client")).toBe(false);
    expect(shouldFailover("rate_limited")).toBe(true);
    expect(shouldFailover("server")).toBe(true);
  });
});

describe("matchesError", () => {
  it("matches a 200 body against the provider's matcher, and nothing without one", () => {
    expect(matchesError(/quota exceeded/i, '{"msg":"Quota exceeded"}')).toBe(true);
    expect(matchesError(/quota exceeded/i, '{"choices":[]}')).toBe(false);
    expect(matchesError(null, "quota exceeded")).toBe(false);
  });

  it("answers the same every time with a global matcher", () => {
    const g = /error/g;
    expect([matchesError(g, "an error"), matchesError(g, "an error"), matchesError(g, "an error")]).toEqual([
      true,
      true,
      true,
    ]);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);

  it("reads delta-seconds", () => {
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("1.5", now)).toBe(1500);
  });

  it("reads an HTTP-date relative to now, and a past date as 0", () => {
    expect(parseRetryAfter("Wed, 01 Jan 2025 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 11:00:00 GMT", now)).toBe(0);
  });

  it("ignores absent or unreadable values", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
  });

  it("prefers retry-after-ms over Retry-After in headers", () => {
    expect(retryAfterFromHeaders(new Headers({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(
      250,
    );
    expect(retryAfterFromHeaders(new Headers({ "retry-after": "9" }), now)).toBe(9000);
    expect(retryAfterFromHeaders(new Headers(), now)).toBeUndefined();
  });
});
