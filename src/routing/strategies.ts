import type { Random } from "../core/clock";
import type { RouteLink, RouteModel, StrategyName } from "./types";

/** What a strategy may consult besides the candidates; stateful strategies (round-robin) key on `model`. */
export interface StrategyContext {
  model: RouteModel;
  random: Random;
}

/** Picks the next link from the remaining candidates (never empty when called). */
export type Strategy = (candidates: readonly RouteLink[], ctx: StrategyContext) => RouteLink;

/** Random by weight; weight-0 links are only eligible when every candidate weighs 0 (then uniform). */
export const pickWeighted: Strategy = (candidates, { random }) => {
  const weightOf = (l: RouteLink) => (Number.isFinite(l.weight) && l.weight > 0 ? l.weight : 0);
  const total = candidates.reduce((sum, l) => sum + weightOf(l), 0);
  if (total === 0)
    return candidates[Math.min(candidates.length - 1, Math.floor(random() * candidates.length))];
  let r = random() * total;
  let last = candidates[0];
  for (const link of candidates) {
    const w = weightOf(link);
    if (w === 0) continue;
    if (r < w) return link;
    r -= w;
    last = link;
  }
  // Only reachable through floating-point rounding at the very top of the range.
  return last;
};

/** The largest `priority` first; ties share the load by weight. */
export const pickPriority: Strategy = (candidates, ctx) => {
  const top = Math.max(...candidates.map((l) => l.priority));
  return pickWeighted(
    candidates.filter((l) => l.priority === top),
    ctx,
  );
};

/** Every strategy by name: adding one is one entry here plus its name in `StrategyName`. */
export const strategies: Record<StrategyName, Strategy> = {
  weighted: pickWeighted,
  priority: pickPriority,
};
