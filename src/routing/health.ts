import type { Clock } from "../core/clock";
import type { HealthSync, SharedLinkState } from "./shared-health";
import type { BreakerState, FailureKind, LinkHealth } from "./types";

export interface HealthOptions {
  /** Consecutive breaker-class failures that open the breaker. */
  failureThreshold: number;
  /** How long the breaker stays open after its first trip; doubles on each trip in a row. */
  openMs: number;
  maxOpenMs: number;
  /** Cooldown after a 429 without Retry-After; doubles on each such 429 until a success. */
  backoffBaseMs: number;
  maxBackoffMs: number;
  /** Upper bound on an upstream's Retry-After, so one odd header cannot park a link for hours. */
  maxRetryAfterMs: number;
  /** A half-open trial whose outcome never arrives frees its slot after this long, so the link is not stuck. */
  trialTimeoutMs: number;
  /** How many recent failures each link keeps for the admin view. */
  recentLimit: number;
  /** How many recent outcomes (success or failure) each link keeps for the admin view. */
  resultsLimit: number;
}

export const defaultHealthOptions: HealthOptions = {
  failureThreshold: 3,
  openMs: 30_000,
  maxOpenMs: 5 * 60_000,
  backoffBaseMs: 5_000,
  maxBackoffMs: 5 * 60_000,
  maxRetryAfterMs: 10 * 60_000,
  trialTimeoutMs: 2 * 60_000,
  recentLimit: 10,
  resultsLimit: 30,
};

/** What `acquire` hands out: the half-open trial's start time when the request holds the trial, else null. */
export type Lease = number | null;

export interface FailureInfo {
  status?: number;
  message: string;
  /** The delay the upstream asked for on a 429 (see `retryAfterFromHeaders`). */
  retryAfterMs?: number;
  /** The model's `breaker` flag: without it failures are recorded but never open the breaker. */
  useBreaker: boolean;
}

/** Failure kinds that count towards opening the breaker (429 only cools down; client errors are not the link's). */
const BREAKER_KINDS: ReadonlySet<FailureKind> = new Set([
  "network",
  "timeout",
  "server",
  "auth",
  "not_found",
  "matched_error",
  "bad_response",
]);

interface LinkState {
  cooldownUntil: number | null;
  /** 429s without Retry-After since the last success: drives the backoff. */
  rateLimitStreak: number;
  breaker: BreakerState;
  openUntil: number | null;
  /** Trips in a row without a success: drives the open interval. */
  trips: number;
  /** When the half-open trial was let through; null when no trial is in flight. */
  trialSince: number | null;
  /** The trial in flight is this instance's (false: another instance holds it, or none is in flight). */
  trialHere: boolean;
  consecutiveFailures: number;
  recent: LinkHealth["recent_failures"];
  results: LinkHealth["recent_results"];
  lastSuccessAt: number | null;
}

const freshState = (): LinkState => ({
  cooldownUntil: null,
  rateLimitStreak: 0,
  breaker: "closed",
  openUntil: null,
  trips: 0,
  trialSince: null,
  trialHere: false,
  consecutiveFailures: 0,
  recent: [],
  results: [],
  lastSuccessAt: null,
});

/**
 * Live health of every link (429 cooldowns and circuit breakers), in memory and shared by all requests.
 * For each link a plan hands out, the caller reports exactly one of `success`, `failure` or `release`.
 *
 * With a `HealthSync` attached, cooldowns and breaker changes are handed to the other instances and theirs
 * come back through `adopt`; reads stay local, so the hot path never waits on the shared state.
 */
export class HealthRegistry {
  readonly #clock: Clock;
  readonly #opts: HealthOptions;
  readonly #links = new Map<number, LinkState>();
  #sync: HealthSync | null = null;

  constructor(clock: Clock, opts: Partial<HealthOptions> = {}) {
    this.#clock = clock;
    this.#opts = { ...defaultHealthOptions, ...opts };
  }

  /** Shares this registry's changes through `sync` (null: this instance alone). */
  attach(sync: HealthSync | null): void {
    this.#sync = sync;
  }

  /** Whether a request may use the link now: not cooling down, breaker not open, no half-open trial in flight. */
  available(linkId: number, useBreaker: boolean): boolean {
    const s = this.#links.get(linkId);
    if (!s) return true;
    const now = this.#clock.now();
    if (s.cooldownUntil !== null && s.cooldownUntil > now) return false;
    if (!useBreaker) return true;
    const state = this.#breakerState(s, now);
    if (state === "open") return false;
    if (state === "half_open") return !this.#trialInFlight(s, now);
    return true;
  }

  /**
   * When an unavailable link frees up (wall ms), or null when unknown (a half-open trial in flight) or
   * when it is available already.
   */
  freeAt(linkId: number, useBreaker: boolean): number | null {
    const s = this.#links.get(linkId);
    if (!s) return null;
    const now = this.#clock.now();
    let at = s.cooldownUntil !== null && s.cooldownUntil > now ? s.cooldownUntil : null;
    if (useBreaker && this.#breakerState(s, now) === "open" && s.openUntil !== null) {
      at = Math.max(at ?? 0, s.openUntil);
    }
    return at;
  }

  /** Why the link is unavailable now, if it is: a 429 cooldown or the breaker. */
  unavailableBecause(linkId: number, useBreaker: boolean): "cooldown" | "breaker" | null {
    if (this.available(linkId, useBreaker)) return null;
    const s = this.#links.get(linkId);
    return s?.cooldownUntil != null && s.cooldownUntil > this.#clock.now() ? "cooldown" : "breaker";
  }

  /**
   * Marks the link as taken by a request; on a half-open link this is the one trial let through. Returns the
   * lease to hand back to `release`: the trial's start when this request holds the trial, else null.
   */
  acquire(linkId: number): Lease {
    const s = this.#links.get(linkId);
    if (!s) return null;
    const now = this.#clock.now();
    if (this.#breakerState(s, now) !== "half_open") return null;
    s.trialSince = now;
    s.trialHere = true;
    return now;
  }

  /**
   * After `acquire` handed a request the half-open trial (`lease` not null): claims it across the instances.
   * False when another instance holds it: the link then stays off here until that trial ends or times out,
   * and the caller moves on without any verdict.
   */
  claimTrial(linkId: number, lease: number): boolean | Promise<boolean> {
    if (!this.#sync) return true;
    return this.#sync.claimTrial(linkId, this.#opts.trialTimeoutMs).then((won) => {
      const s = this.#links.get(linkId);
      if (!won && s && s.trialSince === lease) s.trialHere = false;
      return won;
    });
  }

  /**
   * Takes the merged shared state of a link (another instance's change, or a resync). Cooldowns only grow;
   * a success anywhere closes the breaker; a trip replaces the breaker when it is newer (more trips) or
   * opens for longer.
   */
  adopt(linkId: number, shared: SharedLinkState): void {
    const s = this.#state(linkId);
    if (shared.cooldownUntil > (s.cooldownUntil ?? 0)) s.cooldownUntil = shared.cooldownUntil;
    s.rateLimitStreak = shared.rateLimitStreak;
    if (shared.breaker === "closed") {
      if (s.breaker !== "closed" || s.trips !== 0) {
        s.breaker = "closed";
        s.openUntil = null;
        s.trips = 0;
        s.consecutiveFailures = 0;
      }
    } else if (
      s.breaker === "closed" ||
      shared.trips > s.trips ||
      (shared.trips === s.trips && s.breaker === "open" && shared.openUntil > (s.openUntil ?? 0))
    ) {
      s.breaker = "open";
      s.openUntil = shared.openUntil;
      s.trips = shared.trips;
      s.trialSince = null;
      s.trialHere = false;
    }
    // Another instance's trial is over: this one may try the link again.
    if (shared.trialFree && !s.trialHere) s.trialSince = null;
  }

  /**
   * The attempt ended with neither verdict (client cancelled, client error): frees the half-open trial slot
   * if this request holds it. A request that took the link before the breaker opened (lease null) must not
   * free the slot of the trial running now. Without a lease, any trial is freed.
   */
  release(linkId: number, lease?: Lease): void {
    const s = this.#links.get(linkId);
    if (!s) return;
    if (lease === undefined || (lease !== null && s.trialSince === lease)) {
      if (s.trialHere && s.trialSince !== null) this.#sync?.changed(linkId, { kind: "trial_released" });
      s.trialSince = null;
      s.trialHere = false;
    }
  }

  /** The link answered well: closes the breaker and resets every backoff. */
  success(linkId: number): void {
    const s = this.#state(linkId);
    // Shared only when it changes something: a healthy link's successes cost no round trip.
    if (this.#sync && (s.breaker !== "closed" || s.trips !== 0 || s.rateLimitStreak !== 0))
      this.#sync.changed(linkId, { kind: "success" });
    s.consecutiveFailures = 0;
    s.rateLimitStreak = 0;
    s.breaker = "closed";
    s.openUntil = null;
    s.trips = 0;
    s.trialSince = null;
    s.trialHere = false;
    s.lastSuccessAt = this.#clock.now();
    this.#result(s, s.lastSuccessAt, true);
  }

  /** The link failed: 429 cools it down, breaker-class failures count towards (re)opening the breaker. */
  failure(linkId: number, kind: FailureKind, info: FailureInfo): void {
    // A client error says nothing about the link; it only ends a half-open trial without a verdict.
    if (kind === "client") return this.release(linkId);
    const s = this.#state(linkId);
    const now = this.#clock.now();
    s.recent.push({
      at: now,
      kind,
      ...(info.status !== undefined ? { status: info.status } : {}),
      message: info.message,
    });
    if (s.recent.length > this.#opts.recentLimit)
      s.recent.splice(0, s.recent.length - this.#opts.recentLimit);
    this.#result(s, now, false);

    if (kind === "rate_limited") {
      this.#coolDown(s, now, info.retryAfterMs);
      this.#sync?.changed(linkId, {
        kind: "cooldown",
        until: s.cooldownUntil as number,
        streak: s.rateLimitStreak,
        endsTrial: s.trialHere && s.trialSince !== null,
      });
      // The link did answer, so a half-open trial ends without a verdict; the cooldown now gates it.
      s.trialSince = null;
      s.trialHere = false;
      return;
    }
    if (!BREAKER_KINDS.has(kind)) return;
    s.consecutiveFailures++;
    if (!info.useBreaker) return;
    const state = this.#breakerState(s, now);
    if (
      state === "half_open" ||
      (state === "closed" && s.consecutiveFailures >= this.#opts.failureThreshold)
    ) {
      this.#trip(s, now);
      this.#sync?.changed(linkId, { kind: "trip", openUntil: s.openUntil as number, trips: s.trips });
    }
    // Already open: a request that started before the trip failed late; the open interval stands.
  }

  /** The link's health as the admin API shows it; a link never seen is healthy. */
  snapshot(linkId: number): LinkHealth {
    const s = this.#links.get(linkId) ?? freshState();
    const now = this.#clock.now();
    const breaker = this.#breakerState(s, now);
    return {
      link_id: linkId,
      cooldown_until: s.cooldownUntil !== null && s.cooldownUntil > now ? s.cooldownUntil : null,
      breaker,
      open_until: breaker === "open" ? s.openUntil : null,
      trial_in_flight: breaker === "half_open" && this.#trialInFlight(s, now),
      consecutive_failures: s.consecutiveFailures,
      recent_failures: s.recent.map((f) => ({ ...f })),
      recent_results: s.results.map((r) => ({ ...r })),
      last_success_at: s.lastSuccessAt,
    };
  }

  /** Snapshots of every link with recorded state. */
  all(): LinkHealth[] {
    return [...this.#links.keys()].map((id) => this.snapshot(id));
  }

  /** Drops the state of links that no longer exist (call after rebuilding the routing table). */
  forget(validLinkIds: Iterable<number>): void {
    const keep = new Set(validLinkIds);
    for (const id of this.#links.keys()) if (!keep.has(id)) this.#links.delete(id);
  }

  #result(s: LinkState, at: number, ok: boolean): void {
    s.results.push({ at, ok });
    if (s.results.length > this.#opts.resultsLimit)
      s.results.splice(0, s.results.length - this.#opts.resultsLimit);
  }

  #state(linkId: number): LinkState {
    let s = this.#links.get(linkId);
    if (!s) {
      s = freshState();
      this.#links.set(linkId, s);
    }
    return s;
  }

  /** The breaker as of `now`: an open breaker whose interval has passed is half-open. */
  #breakerState(s: LinkState, now: number): BreakerState {
    if (s.breaker === "open" && s.openUntil !== null && now >= s.openUntil) {
      s.breaker = "half_open";
      s.openUntil = null;
      s.trialSince = null;
      s.trialHere = false;
    }
    return s.breaker;
  }

  #trialInFlight(s: LinkState, now: number): boolean {
    return s.trialSince !== null && now - s.trialSince < this.#opts.trialTimeoutMs;
  }

  #trip(s: LinkState, now: number): void {
    s.trips++;
    const interval = Math.min(this.#opts.openMs * 2 ** (s.trips - 1), this.#opts.maxOpenMs);
    s.breaker = "open";
    s.openUntil = now + interval;
    s.trialSince = null;
    s.trialHere = false;
  }

  #coolDown(s: LinkState, now: number, retryAfterMs: number | undefined): void {
    let wait: number;
    if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
      wait = Math.min(retryAfterMs, this.#opts.maxRetryAfterMs);
    } else {
      wait = Math.min(this.#opts.backoffBaseMs * 2 ** s.rateLimitStreak, this.#opts.maxBackoffMs);
      s.rateLimitStreak++;
    }
    // Concurrent 429s may report different waits: the longest one wins.
    s.cooldownUntil = Math.max(s.cooldownUntil ?? 0, now + wait);
  }
}
