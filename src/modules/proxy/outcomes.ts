import { GatewayError } from "../../core/errors";
import type { PlanResult } from "../../routing";
import type { RouteModel } from "../../routing/types";
import type { AttemptRecord } from "../../storage/request-record";

/** How a feature a protocol may lack is named to clients. */
const FEATURE_NAMES: Record<string, string> = {
  n: "several choices (n > 1)",
  logprobs: "log probabilities",
  audio: "audio input or output",
  server_state:
    "state stored at OpenAI (previous_response_id, conversation, a stored prompt, item references or file ids)",
  cached_content: "a Gemini context cache (cachedContent)",
  image_output: "image output",
  server_tools: "hosted (server-side) tools",
  background: "background responses",
  embeddings: "embeddings",
};

/** The final answer when every attempt failed: the last failure's class decides the status. */
export function exhausted(attempts: readonly AttemptRecord[], budgetMs: number | null): GatewayError {
  const last = attempts.at(-1);
  const lastMessage =
    budgetMs !== null
      ? `no attempt left within ${budgetMs} ms`
      : last
        ? last.status
          ? `HTTP ${last.status}: ${last.error}`
          : last.error
        : "no provider was available";
  const n = attempts.length;
  const msg = `upstream failed after ${n} attempt${n === 1 ? "" : "s"}: ${lastMessage}`;
  if (last?.kind === "rate_limited" && budgetMs === null) return new GatewayError(429, "rate_limited", msg);
  if (budgetMs !== null || last?.kind === "timeout") return new GatewayError(504, "upstream_timeout", msg);
  return new GatewayError(502, "upstream_error", msg);
}

/** The answer when a plan has no link to try: a 4xx naming what is missing, or 429/503 with Retry-After. */
export function unroutable(
  model: RouteModel,
  plan: Exclude<PlanResult, { ok: true }>,
): GatewayError & { retryAfterS?: number } {
  switch (plan.reason) {
    case "missing_capability":
      return new GatewayError(
        400,
        "capability_unavailable",
        `no provider of model "${model.name}" supports ${plan.missing.replace("_", " ")}, which this request needs`,
        plan.missing,
      );
    case "unsupported_feature":
      return new GatewayError(
        400,
        "unsupported",
        `no provider of model "${model.name}" can carry ${FEATURE_NAMES[plan.feature] ?? plan.feature}, which this request uses`,
        plan.feature,
      );
    case "no_links":
      return new GatewayError(503, "unavailable", `model "${model.name}" has no enabled provider`);
    case "all_unavailable": {
      const err =
        plan.cause === "cooldown"
          ? new GatewayError(
              429,
              "rate_limited",
              `every provider of model "${model.name}" is cooling down after rate limits`,
            )
          : new GatewayError(
              503,
              "unavailable",
              `every provider of model "${model.name}" is failing (circuit open)`,
            );
      return Object.assign(err, {
        retryAfterS: plan.retryAfterMs !== undefined ? Math.ceil(plan.retryAfterMs / 1000) : undefined,
      });
    }
  }
}
