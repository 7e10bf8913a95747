import { describe, expect, it } from "bun:test";
import { seededRandom } from "../../src/core/clock";
import { HealthRegistry } from "../../src/routing/health";
import { type AttemptPlan, createAttemptPlan, type PlanResult } from "../../src/routing/planner";
import type { RouteLink, RouteModel } from "../../src/routing/types";
import { fakeClock, link, model, noNeeds } from "./fixtures";

const fail = { message: "boom", useBreaker: true };

function setup() {
  const clock = fakeClock();
  return { clock, health: new HealthRegistry(clock), random: seededRandom(5) };
}

function okPlan(res: PlanResult): AttemptPlan {
  if (!res.ok) throw new Error(`expected a plan, got ${JSON.stringify(res)}`);
  return res;
}

function drain(plan: AttemptPlan): number[] {
  const ids: number[] = [];
  for (let l = plan.next(); l; l = plan.next()) ids.push(l.id);
  return ids;
}

const plan = (m: RouteModel, s: ReturnType<typeof setup>, needs = noNeeds) =>
  createAttemptPlan({ model: m, needs, ...s });

describe("createAttemptPlan", () => {
  it("hands out at most max_attempts links, never the same link twice", () => {
    const s = setup();
    const links = [1, 2, 3, 4, 5].map((id) => link(id));
    for (let i = 0; i < 50; i++) {
      const ids = drain(okPlan(plan(model(links, { maxAttempts: 3 }), s)));
      expect(ids).toHaveLength(3);
      expect(new Set(ids).size).toBe(3);
    }
  });

  it("stops when the candidates run out before max_attempts", () => {
    const s = setup();
    const p = okPlan(plan(model([link(1), link(2)], { maxAttempts: 5 }), s));
    expect(drain(p).sort()).toEqual([1, 2]);
    expect(p.attempts()).toBe(2);
  });

  it("tries links in priority order under the priority strategy", () => {
    const s = setup();
    const links = [link(1, { priority: 1 }), link(2, { priority: 3 }), link(3, { priority: 2 })];
    expect(drain(okPlan(plan(model(links, { strategy: "priority" }), s)))).toEqual([2, 3, 1]);
  });

  it("tries a weight-0 link only after every weighted one", () => {
    const s = setup();
    const links = [link(1, { weight: 0 }), link(2, { weight: 1 }), link(3, { weight: 5 })];
    for (let i = 0; i < 20; i++) expect(drain(okPlan(plan(model(links), s)))[2]).toBe(1);
  });

  it("refuses with the missing capability when no link can serve the request", () => {
    const s = setup();
    const m = model([link(1, { capabilities: { tool_call: false } })]);
    expect(plan(m, s, { ...noNeeds, tools: true })).toEqual({
      ok: false,
      reason: "missing_capability",
      missing: "tool_call",
    });
  });

  it("only hands out links with the needed capability", () => {
    const s = setup();
    const m = model([
      link(1, { capabilities: { image: false } }),
      link(2),
      link(3, { capabilities: { image: false } }),
    ]);
    expect(drain(okPlan(plan(m, s, { ...noNeeds, image: true })))).toEqual([2]);
  });

  it("refuses a model without links", () => {
    expect(plan(model([]), setup())).toEqual({ ok: false, reason: "no_links" });
  });

  it("skips links cooling down or with an open breaker", () => {
    const s = setup();
    s.health.failure(1, "rate_limited", { ...fail, retryAfterMs: 10_000 });
    for (let i = 0; i < 3; i++) s.health.failure(2, "server", fail);
    expect(drain(okPlan(plan(model([link(1), link(2), link(3)]), s)))).toEqual([3]);
  });

  it("re-reads health at each pick: a link that trips mid-request is skipped", () => {
    const s = setup();
    const links: RouteLink[] = [link(1, { priority: 3 }), link(2, { priority: 2 }), link(3, { priority: 1 })];
    const p = okPlan(plan(model(links, { strategy: "priority" }), s));
    expect(p.next()?.id).toBe(1);
    // Another request's 429 on link 2 arrives while link 1 is being tried.
    s.health.failure(2, "rate_limited", { ...fail, retryAfterMs: 5000 });
    expect(p.next()?.id).toBe(3);
    expect(p.next()).toBeUndefined();
  });

  it("says when every capable link is cooling down, with the soonest time one frees", () => {
    const s = setup();
    s.health.failure(1, "rate_limited", { ...fail, retryAfterMs: 20_000 });
    s.health.failure(2, "rate_limited", { ...fail, retryAfterMs: 7_000 });
    expect(plan(model([link(1), link(2)]), s)).toEqual({
      ok: false,
      reason: "all_unavailable",
      cause: "cooldown",
      retryAfterMs: 7_000,
    });
  });

  it("ignores links the request cannot use when reporting unavailability", () => {
    const s = setup();
    s.health.failure(1, "rate_limited", { ...fail, retryAfterMs: 9_000 });
    const m = model([link(1), link(2, { capabilities: { tool_call: false } })]);
    expect(plan(m, s, { ...noNeeds, tools: true })).toMatchObject({
      reason: "all_unavailable",
      retryAfterMs: 9_000,
    });
  });

  it("blames the breaker when a link is held open, and lets a single half-open trial through", () => {
    const s = setup();
    for (let i = 0; i < 3; i++) s.health.failure(1, "server", fail);
    const m = model([link(1)]);
    expect(plan(m, s)).toEqual({
      ok: false,
      reason: "all_unavailable",
      cause: "breaker",
      retryAfterMs: 30_000,
    });
    s.clock.advance(30_000);
    const first = okPlan(plan(m, s));
    expect(first.next()?.id).toBe(1);
    // The trial is in flight: a concurrent request gets nothing, and no time is known yet.
    expect(plan(m, s)).toEqual({ ok: false, reason: "all_unavailable", cause: "breaker" });
    s.health.success(1);
    expect(okPlan(plan(m, s)).next()?.id).toBe(1);
  });

  it("ignores breaker state when the model's breaker is off", () => {
    const s = setup();
    for (let i = 0; i < 3; i++) s.health.failure(1, "server", fail);
    expect(drain(okPlan(plan(model([link(1)], { breaker: false }), s)))).toEqual([1]);
  });

  it("falls back to weighted for a strategy name it does not know", () => {
    const s = setup();
    const m = model([link(1, { weight: 0 }), link(2)], { strategy: "latency" as RouteModel["strategy"] });
    expect(okPlan(plan(m, s)).next()?.id).toBe(2);
  });
});
