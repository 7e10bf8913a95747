import type { Clock, Random } from "../core/clock";
import { filterByNeeds } from "./capabilities";
import type { HealthRegistry, Lease } from "./health";
import { strategies } from "./strategies";
import type { Capability, Needs, RouteLink, RouteModel } from "./types";

export interface PlanInput {
  model: RouteModel;
  needs: Needs;
  health: HealthRegistry;
  random: Random;
  clock: Clock;
  /**
   * Why a link cannot carry this request (a feature its protocol lacks, e.g. "n" or "server_tools"), or
   * undefined when it can. Links it names are skipped; when it names every link, the plan says which.
   */
  unsupported?: (link: RouteLink) => string | undefined;
}

/** The links of one request, handed out one attempt at a time. */
export interface AttemptPlan {
  ok: true;
  /**
   * The next link to try, or undefined when attempts are spent or no untried link is available now.
   * The link is already acquired in health: report its outcome with success / failure / release.
   */
  next(): RouteLink | undefined;
  /** How many links have been handed out so far. */
  attempts(): number;
  /** The health lease taken for a link this plan handed out (pass it to `release`). */
  lease(linkId: number): Lease;
  /**
   * The link just handed out could not be taken after all (another instance holds its half-open trial):
   * it does not count as an attempt, and it is not handed out again.
   */
  forfeit(linkId: number): void;
}

export type PlanResult =
  /** No link has this capability: a 4xx naming it. */
  | { ok: false; reason: "missing_capability"; missing: Capability }
  /** Every capable link's protocol lacks something the request uses: a 400 naming it. */
  | { ok: false; reason: "unsupported_feature"; feature: string }
  /** The model has no enabled link. */
  | { ok: false; reason: "no_links" }
  /**
   * Every capable link is cooling down (`cause: "cooldown"`, answer 429) or held by its breaker
   * (`cause: "breaker"`, answer 503); `retryAfterMs` is when the first one frees, when known.
   */
  | { ok: false; reason: "all_unavailable"; cause: "cooldown" | "breaker"; retryAfterMs?: number }
  | AttemptPlan;

/** Resolves a request's candidate links and the order to try them in, per the model's strategy. */
export function createAttemptPlan({
  model,
  needs,
  health,
  random,
  clock,
  unsupported,
}: PlanInput): PlanResult {
  if (model.links.length === 0) return { ok: false, reason: "no_links" };
  const filtered = filterByNeeds(model.links, needs);
  if (filtered.missing) return { ok: false, reason: "missing_capability", missing: filtered.missing };
  if (unsupported) {
    let feature: string | undefined;
    filtered.links = filtered.links.filter((l) => {
      const lacks = unsupported(l);
      feature ??= lacks;
      return lacks === undefined;
    });
    if (filtered.links.length === 0 && feature !== undefined)
      return { ok: false, reason: "unsupported_feature", feature };
  }

  const useBreaker = model.breaker;
  const isAvailable = (l: RouteLink) => health.available(l.id, useBreaker);
  if (!filtered.links.some(isAvailable)) return unavailable(filtered.links, health, useBreaker, clock);

  const strategy = strategies[model.strategy] ?? strategies.weighted;
  const maxAttempts = Math.max(1, model.maxAttempts);
  let remaining = filtered.links;
  let handedOut = 0;
  const leases = new Map<number, Lease>();

  return {
    ok: true,
    next() {
      if (handedOut >= maxAttempts) return undefined;
      // Health is read at each pick: a link that cooled down or tripped during an earlier attempt is skipped.
      const candidates = remaining.filter(isAvailable);
      if (candidates.length === 0) return undefined;
      const link = strategy(candidates, { model, random });
      remaining = remaining.filter((l) => l !== link);
      handedOut++;
      // Acquired in the same tick as the availability check, so two requests cannot both take a half-open trial.
      leases.set(link.id, health.acquire(link.id));
      return link;
    },
    attempts: () => handedOut,
    lease: (linkId) => leases.get(linkId) ?? null,
    forfeit(linkId) {
      if (leases.delete(linkId)) handedOut--;
    },
  };
}

function unavailable(
  links: readonly RouteLink[],
  health: HealthRegistry,
  useBreaker: boolean,
  clock: Clock,
): PlanResult {
  const now = clock.now();
  let soonest: number | null = null;
  let allCooling = true;
  for (const link of links) {
    if (health.unavailableBecause(link.id, useBreaker) !== "cooldown") allCooling = false;
    const at = health.freeAt(link.id, useBreaker);
    if (at !== null && (soonest === null || at < soonest)) soonest = at;
  }
  const cause = allCooling ? "cooldown" : "breaker";
  return soonest === null
    ? { ok: false, reason: "all_unavailable", cause }
    : { ok: false, reason: "all_unavailable", cause, retryAfterMs: Math.max(0, soonest - now) };
}
