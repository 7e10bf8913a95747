import type { FailureKind } from "./types";

/** What an upstream HTTP status means for routing; null for success. */
export function classifyStatus(status: number): FailureKind | null {
  if (status >= 200 && status < 300) return null;
  if (status === 429) return "rate_limited";
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  // A 408 is the upstream giving up waiting, not a fault of the request: another link may answer.
  if (status === 408) return "timeout";
  if (status >= 400 && status < 500) return "client";
  // 5xx, and the 1xx/3xx an API should never answer with: the link is at fault.
  return "server";
}

/** Whether a failure of this kind moves on to the next link (client errors go straight back). */
export function shouldFailover(kind: FailureKind): boolean {
  return kind !== "client";
}

/** Whether a 200 body matches the provider's error_matcher, i.e. is an error in disguise. */
export function matchesError(matcher: RegExp | null, bodyText: string): boolean {
  // `search` ignores the global flag and lastIndex, so a shared /g matcher gives the same answer every time.
  return matcher !== null && bodyText.search(matcher) !== -1;
}
