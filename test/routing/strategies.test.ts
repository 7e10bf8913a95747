import { describe, expect, it } from "bun:test";
import { seededRandom } from "../../src/core/clock";
import { pickPriority, pickWeighted, strategies } from "../../src/routing/strategies";
import type { RouteLink } from "../../src/routing/types";
import { link, model } from "./fixtures";

const ctx = (seed = 42) => ({ model: model([]), random: seededRandom(seed) });

function counts(pick: () => RouteLink, n: number): Map<number, number> {
  const seen = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const id = pick().id;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return seen;
}

describe("weighted strategy", () => {
  it("splits 4,000 picks 1:3 by weight within ±5%", () => {
    const links = [link(1, { weight: 1 }), link(2, { weight: 3 })];
    const c = ctx(7);
    const seen = counts(() => pickWeighted(links, c), 4000);
    expect(Math.abs((seen.get(1) ?? 0) / 4000 - 0.25)).toBeLessThan(0.05);
    expect(Math.abs((seen.get(2) ?? 0) / 4000 - 0.75)).toBeLessThan(0.05);
  });

  it("never picks a weight-0 link while another has weight", () => {
    const links = [link(1, { weight: 0 }), link(2, { weight: 1 }), link(3, { weight: 0 })];
    const c = ctx(1);
    expect([...counts(() => pickWeighted(links, c), 1000).keys()]).toEqual([2]);
  });

  it("picks among weight-0 links uniformly when every weight is 0", () => {
    const links = [link(1, { weight: 0 }), link(2, { weight: 0 })];
    const c = ctx(3);
    const seen = counts(() => pickWeighted(links, c), 2000);
    expect(Math.abs((seen.get(1) ?? 0) / 2000 - 0.5)).toBeLessThan(0.05);
  });

  it("stays in range at the edges of the random source", () => {
    const links = [link(1, { weight: 1 }), link(2, { weight: 3 })];
    expect(pickWeighted(links, { model: model([]), random: () => 0 }).id).toBe(1);
    expect(pickWeighted(links, { model: model([]), random: () => 0.999999999 }).id).toBe(2);
    const zeros = [link(1, { weight: 0 }), link(2, { weight: 0 })];
    expect(pickWeighted(zeros, { model: model([]), random: () => 0.999999999 }).id).toBe(2);
  });
});

describe("priority strategy", () => {
  it("picks the largest priority first", () => {
    const links = [link(1, { priority: 1 }), link(2, { priority: 10 }), link(3, { priority: 5 })];
    expect(pickPriority(links, ctx()).id).toBe(2);
  });

  it("breaks ties by weight and never leaves the top priority", () => {
    const links = [
      link(1, { priority: 5, weight: 1 }),
      link(2, { priority: 5, weight: 3 }),
      link(3, { priority: 1, weight: 100 }),
    ];
    const c = ctx(11);
    const seen = counts(() => pickPriority(links, c), 4000);
    expect(seen.has(3)).toBe(false);
    expect(Math.abs((seen.get(2) ?? 0) / 4000 - 0.75)).toBeLessThan(0.05);
  });

  it("is registered by name beside weighted", () => {
    expect(strategies.priority).toBe(pickPriority);
    expect(strategies.weighted).toBe(pickWeighted);
  });
});
