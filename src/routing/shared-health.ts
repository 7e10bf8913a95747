/**
 * The part of a link's health that several gateway instances share: 429 cooldowns and the breaker.
 * The registry keeps its own copy for the hot path and hands each change to a `HealthSync`, which merges it
 * with the other instances' changes and hands the merged state back through `HealthRegistry.adopt`.
 */
export interface SharedLinkState {
  /** Wall ms until which the link cools down after a 429, or 0. */
  cooldownUntil: number;
  /** 429s without Retry-After since the last success: drives the backoff. */
  rateLimitStreak: number;
  breaker: "closed" | "open";
  /** Wall ms when an open breaker turns half-open (0 when closed). */
  openUntil: number;
  /** Trips in a row without a success: drives the open interval, and orders breaker states. */
  trips: number;
  /** True when the change ended this link's half-open trial, so the others may stop waiting for it. */
  trialFree: boolean;
}

/** One change an instance made to a link's shared health. */
export type LinkChange =
  | { kind: "cooldown"; until: number; streak: number; endsTrial: boolean }
  | { kind: "trip"; openUntil: number; trips: number }
  | { kind: "success" }
  /** The instance's half-open trial ended without a verdict (client gone, request at fault). */
  | { kind: "trial_released" };

/** Where a registry sends its changes; the in-memory gateway has none. */
export interface HealthSync {
  /** Hands a change on (fire and forget; the merged state comes back through `adopt`). */
  changed(linkId: number, change: LinkChange): void;
  /**
   * Claims the one half-open trial of the link across every instance for `ttlMs`; false when another
   * instance holds it. Resolves true when the shared state cannot be reached (each instance decides alone).
   */
  claimTrial(linkId: number, ttlMs: number): Promise<boolean>;
}
