// The routing room's public surface: what the proxy module imports.
export { filterByNeeds, requiredCapabilities } from "./capabilities";
export { classifyStatus, matchesError, shouldFailover } from "./classify";
export {
  defaultHealthOptions,
  type FailureInfo,
  HealthRegistry,
  type HealthOptions,
  type Lease,
} from "./health";
export { type AttemptPlan, createAttemptPlan, type PlanInput, type PlanResult } from "./planner";
export { parseRetryAfter, retryAfterFromHeaders } from "./retry-after";
export { pickPriority, pickWeighted, type Strategy, type StrategyContext, strategies } from "./strategies";
export type { HealthSync, LinkChange, SharedLinkState } from "./shared-health";
export { RoutingTable } from "./table";
export type * from "./types";
