import { describe, expect, it } from "bun:test";
import { HealthRegistry } from "../../src/routing/health";
import type { FailureKind } from "../../src/routing/types";
import { fakeClock } from "./fixtures";

const on = { message: "boom", useBreaker: true };
const off = { message: "boom", useBreaker: false };

function setup() {
  const clock = fakeClock();
  return { clock, health: new HealthRegistry(clock) };
}

describe("429 cooldown", () => {
  it("cools a link down for Retry-After seconds, then frees it", () => {
    const { clock, health } = setup();
    health.failure(1, "rate_limited", { ...on, status: 429, retryAfterMs: 7000 });
    expect(health.available(1, true)).toBe(false);
    expect(health.snapshot(1).cooldown_until).toBe(clock.now() + 7000);
    clock.advance(6999);
    expect(health.available(1, true)).toBe(false);
    clock.advance(1);
    expect(health.available(1, true)).toBe(true);
    expect(health.snapshot(1).cooldown_until).toBeNull();
  });

  it("honours a cooldown even when the model has no breaker", () => {
    const { health } = setup();
    health.failure(1, "rate_limited", { ...off, retryAfterMs: 1000 });
    expect(health.available(1, false)).toBe(false);
  });

  it("caps an outsized Retry-After at 10 minutes", () => {
    const { clock, health } = setup();
    health.failure(1, "rate_limited", { ...on, retryAfterMs: 3_600_000 });
    expect(health.snapshot(1).cooldown_until).toBe(clock.now() + 600_000);
  });

  it("backs off 5 s, 10 s, 20 s without Retry-After, and a success resets the growth", () => {
    const { clock, health } = setup();
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      health.failure(1, "rate_limited", on);
      const until = health.snapshot(1).cooldown_until ?? 0;
      waits.push(until - clock.now());
      clock.advance(until - clock.now());
    }
    expect(waits).toEqual([5000, 10_000, 20_000]);
    health.success(1);
    health.failure(1, "rate_limited", on);
    expect((health.snapshot(1).cooldown_until ?? 0) - clock.now()).toBe(5000);
  });

  it("caps the backoff at 5 minutes", () => {
    const { clock, health } = setup();
    for (let i = 0; i < 12; i++) health.failure(1, "rate_limited", on);
    expect(health.snapshot(1).cooldown_until).toBe(clock.now() + 300_000);
  });

  it("never opens the breaker on 429s alone", () => {
    const { clock, health } = setup();
    for (let i = 0; i < 5; i++) health.failure(1, "rate_limited", { ...on, retryAfterMs: 0 });
    clock.advance(1);
    expect(health.snapshot(1).breaker).toBe("closed");
    expect(health.available(1, true)).toBe(true);
  });
});

describe("circuit breaker", () => {
  it("opens after 3 consecutive failures and stays open for 30 s", () => {
    const { clock, health } = setup();
    health.failure(1, "server", { ...on, status: 500 });
    health.failure(1, "timeout", on);
    expect(health.available(1, true)).toBe(true);
    health.failure(1, "network", on);
    expect(health.available(1, true)).toBe(false);
    expect(health.snapshot(1)).toMatchObject({ breaker: "open", open_until: clock.now() + 30_000 });
    clock.advance(29_999);
    expect(health.available(1, true)).toBe(false);
  });

  it.each(["network", "timeout", "server", "auth", "not_found", "matched_error"] as FailureKind[])(
    "counts %s towards opening",
    (kind) => {
      const { health } = setup();
      for (let i = 0; i < 3; i++) health.failure(1, kind, on);
      expect(health.snapshot(1).breaker).toBe("open");
    },
  );

  it("ignores client errors", () => {
    const { health } = setup();
    for (let i = 0; i < 5; i++) health.failure(1, "client", { ...on, status: 400 });
    expect(health.snapshot(1)).toMatchObject({
      breaker: "closed",
      consecutive_failures: 0,
      recent_failures: [],
      recent_results: [],
    });
  });

  it("needs the failures to be consecutive: a success in between resets the count", () => {
    const { health } = setup();
    health.failure(1, "server", on);
    health.failure(1, "server", on);
    health.success(1);
    health.failure(1, "server", on);
    health.failure(1, "server", on);
    expect(health.snapshot(1)).toMatchObject({ breaker: "closed", consecutive_failures: 2 });
  });

  it("lets exactly one half-open trial through, and its success closes the breaker", () => {
    const { clock, health } = setup();
    for (let i = 0; i < 3; i++) health.failure(1, "server", on);
    clock.advance(30_000);
    expect(health.snapshot(1).breaker).toBe("half_open");
    expect(health.available(1, true)).toBe(true);
    health.acquire(1);
    expect(health.available(1, true)).toBe(false);
    expect(health.snapshot(1).trial_in_flight).toBe(true);
    health.success(1);
    expect(health.snapshot(1)).toMatchObject({
      breaker: "closed",
      consecutive_failures: 0,
      trial_in_flight: false,
    });
    expect(health.available(1, true)).toBe(true);
  });

  it("re-opens on a failed trial for a longer interval, capped", () => {
    const { clock, health } = setup();
    for (let i = 0; i < 3; i++) health.failure(1, "server", on);
    const intervals: number[] = [];
    for (let trip = 0; trip < 6; trip++) {
      const snap = health.snapshot(1);
      intervals.push((snap.open_until ?? 0) - clock.now());
      clock.advance((snap.open_until ?? 0) - clock.now());
      expect(health.available(1, true)).toBe(true);
      health.acquire(1);
      health.failure(1, "server", on);
      expect(health.snapshot(1).breaker).toBe("open");
    }
    expect(intervals).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
  });

  it("frees a trial slot released without a verdict, and one whose outcome never arrives", () => {
    const { clock, health } = setup();
    for (let i = 0; i < 3; i++) health.failure(1, "server", on);
    clock.advance(30_000);
    health.acquire(1);
    health.release(1);
    expect(health.available(1, true)).toBe(true);
    health.acquire(1);
    health.failure(1, "client", { ...on, status: 400 });
    expect(health.available(1, true)).toBe(true);
    health.acquire(1);
    clock.advance(120_000);
    expect(health.available(1, true)).toBe(true);
    expect(health.snapshot(1).breaker).toBe("half_open");
  });

  it("stays closed when the model's breaker flag is off, while still recording failures", () => {
    const { health } = setup();
    for (let i = 0; i < 10; i++) health.failure(1, "server", off);
    expect(health.available(1, false)).toBe(true);
    expect(health.snapshot(1)).toMatchObject({ breaker: "closed", consecutive_failures: 10 });
  });

  it("does not block a link whose breaker is open once the model turns the flag off", () => {
    const { health } = setup();
    for (let i = 0; i < 3; i++) health.failure(1, "server", on);
    expect(health.available(1, true)).toBe(false);
    expect(health.available(1, false)).toBe(true);
  });
});

describe("snapshots", () => {
  it("shows every field of a link's health", () => {
    const { clock, health } = setup();
    const t0 = clock.now();
    health.success(1);
    clock.advance(1000);
    health.failure(1, "server", { ...on, status: 502, message: "bad gateway" });
    health.failure(1, "rate_limited", { ...on, status: 429, message: "slow down", retryAfterMs: 2000 });
    expect(health.snapshot(1)).toEqual({
      link_id: 1,
      cooldown_until: t0 + 3000,
      breaker: "closed",
      open_until: null,
      trial_in_flight: false,
      consecutive_failures: 1,
      recent_failures: [
        { at: t0 + 1000, kind: "server", status: 502, message: "bad gateway" },
        { at: t0 + 1000, kind: "rate_limited", status: 429, message: "slow down" },
      ],
      recent_results: [
        { at: t0, ok: true },
        { at: t0 + 1000, ok: false },
        { at: t0 + 1000, ok: false },
      ],
      last_success_at: t0,
    });
  });

  it("reports an unknown link as healthy", () => {
    const { health } = setup();
    expect(health.snapshot(9)).toEqual({
      link_id: 9,
      cooldown_until: null,
      breaker: "closed",
      open_until: null,
      trial_in_flight: false,
      consecutive_failures: 0,
      recent_failures: [],
      recent_results: [],
      last_success_at: null,
    });
    expect(health.available(9, true)).toBe(true);
  });

  it("keeps only the last 10 failures", () => {
    const { health } = setup();
    for (let i = 0; i < 15; i++) health.failure(1, "server", { ...off, message: `f${i}` });
    const recent = health.snapshot(1).recent_failures;
    expect(recent.map((f) => f.message)).toEqual(Array.from({ length: 10 }, (_, i) => `f${i + 5}`));
  });

  it("keeps the last 30 outcomes, successes and failures, oldest first", () => {
    const { health } = setup();
    for (let i = 0; i < 40; i++) {
      if (i % 4 === 0) health.failure(1, "server", { ...off, message: `f${i}` });
      else health.success(1);
    }
    const results = health.snapshot(1).recent_results;
    expect(results).toHaveLength(30);
    // Outcomes 10..39: every fourth one (12, 16, …) failed.
    expect(results.map((r) => r.ok)).toEqual(Array.from({ length: 30 }, (_, i) => (i + 10) % 4 !== 0));
  });

  it("lists every tracked link, and forgets deleted ones", () => {
    const { health } = setup();
    health.success(1);
    health.failure(2, "server", on);
    health.failure(3, "server", on);
    expect(health.all().map((h) => h.link_id)).toEqual([1, 2, 3]);
    health.forget([1, 3]);
    expect(health.all().map((h) => h.link_id)).toEqual([1, 3]);
  });
});

describe("half-open trial leases", () => {
  it("does not let a request that took the link before the breaker opened free the running trial", () => {
    let now = 1_000_000;
    const clock = { now: () => now, mono: () => now };
    const health = new HealthRegistry(clock, { failureThreshold: 1, openMs: 1000 });
    const early = health.acquire(1); // closed: an ordinary request, no trial
    expect(early).toBeNull();
    health.failure(1, "server", { message: "boom", useBreaker: true }); // opens the breaker
    now += 1001;
    const trial = health.acquire(1); // half-open: this one is the trial
    expect(trial).not.toBeNull();
    expect(health.available(1, true)).toBe(false);
    health.release(1, early); // the early request ends with a client error
    expect(health.available(1, true)).toBe(false); // the trial still holds the slot
    health.release(1, trial);
    expect(health.available(1, true)).toBe(true);
  });
});
