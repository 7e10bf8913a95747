import type { Prices } from "../core/money";
import type { Needs, Style } from "../protocols/types";

/** One provider as the router sees it (plain data, built from storage by the proxy module). */
export interface RouteProvider {
  id: number;
  name: string;
  type: Style;
  baseUrl: string;
  apiKey: string;
  anthropicVersion: string | null;
  proxyUrl: string | null;
  /** Compiled provider error_matcher: a 200 body matching it is a failure. */
  errorMatcher: RegExp | null;
  headers: Record<string, string>;
}

/** One enabled model→provider link whose provider is enabled. */
export interface RouteLink {
  id: number;
  provider: RouteProvider;
  providerModel: string;
  weight: number;
  priority: number;
  capabilities: { tool_call: boolean; structured_output: boolean; image: boolean };
  withHeader: boolean;
  headers: Record<string, string>;
  extraBody: Record<string, unknown>;
  prices: Prices;
}

export type StrategyName = "weighted" | "priority";

export interface RouteModel {
  id: number;
  name: string;
  strategy: StrategyName;
  maxAttempts: number;
  timeoutMs: number;
  breaker: boolean;
  links: RouteLink[];
  createdAt: number;
}

/** Capabilities a link can lack, named as the link's columns. */
export type Capability = "tool_call" | "structured_output" | "image";

export type { Needs, Prices };

/** Why an attempt failed, as far as routing cares. */
export type FailureKind =
  | "network"
  | "timeout"
  | "server" // 5xx
  | "rate_limited" // 429
  | "auth" // 401 / 403 from the provider
  | "not_found" // 404 from the provider
  | "matched_error" // 200 whose body matched error_matcher
  | "bad_response" // 200 whose body (or first stream event) cannot be parsed: truncated or not JSON
  | "client"; // 400/413/422 caused by the request: never retried

export type BreakerState = "closed" | "open" | "half_open";

/** Live health of one link, as shown by the admin API. */
export interface LinkHealth {
  link_id: number;
  cooldown_until: number | null;
  breaker: BreakerState;
  /** When an open breaker turns half-open; null unless open. */
  open_until: number | null;
  /** A half-open link's single trial request is under way. */
  trial_in_flight: boolean;
  consecutive_failures: number;
  recent_failures: { at: number; kind: FailureKind; status?: number; message: string }[];
  /** The last outcomes, oldest first: true for a success (the console's green/red strip). */
  recent_results: { at: number; ok: boolean }[];
  last_success_at: number | null;
}
