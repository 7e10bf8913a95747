/** Pieces of the Messages wire format shared by the inbound and outbound codecs and their streams. */
import { GatewayError } from "../../core/errors";
import type { FinishReason, ReasoningConfig } from "../canonical";
import { child, count, errorMessage, isObject, text } from "../json";
import type { Usage } from "../types";
import { fromAnthropicUsage } from "./usage";

/**
 * Anthropic has no JSON mode without a schema: a canonical `json_object` response format goes upstream as a
 * forced call of this tool, and the outbound decoders turn its input back into plain answer text.
 */
export const STRUCTURED_OUTPUT_TOOL = "llmio_json_response";

/** Thinking budget for an OpenAI-style effort (TX-COMMON's table; 1024 is Anthropic's minimum). */
export const EFFORT_BUDGET: Record<NonNullable<ReasoningConfig["effort"]>, number> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 24576,
};

/** Anthropic's smallest accepted `budget_tokens`. */
export const MIN_THINKING_BUDGET = 1024;

/** The effort a thinking budget stands for (≤2048 low, ≤8192 medium, else high). */
export function effortForBudget(budget: number): ReasoningConfig["effort"] {
  return budget <= 2048 ? "low" : budget <= 8192 ? "medium" : "high";
}

/** A Messages `stop_reason` as a canonical finish reason; unknown or null reasons end normally. */
export function fromAnthropicStopReason(reason: unknown): FinishReason {
  switch (reason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_use";
    case "stop_sequence":
      return "stop_sequence";
    case "refusal":
      return "content_filter";
    default:
      // end_turn, pause_turn (a server-tool turn paused; the client may continue it) and anything new.
      return "stop";
  }
}

/**
 * A canonical finish reason as a Messages `stop_reason`. Some OpenAI-compatible vendors finish a tool-call
 * answer with "stop": Anthropic clients loop on `tool_use`, so an answer with tool calls says so.
 */
export function toAnthropicStopReason(finish: FinishReason, hasToolCalls: boolean): string {
  switch (finish) {
    case "length":
      return "max_tokens";
    case "tool_use":
      return "tool_use";
    case "stop_sequence":
      return "stop_sequence";
    case "content_filter":
      return "refusal";
    default:
      return hasToolCalls ? "tool_use" : "end_turn";
  }
}

/** A Messages `usage` object, with the thinking share of output when the API reports it. */
export function usageFromAnthropic(usage: Record<string, unknown>): Usage {
  const normalised = fromAnthropicUsage(usage);
  const thinking = count(child(usage, "output_tokens_details")?.thinking_tokens);
  return thinking > 0 ? { ...normalised, reasoning: thinking } : normalised;
}

/** Canonical usage in the Messages shape: input_tokens already excludes cache reads and writes. */
export function toAnthropicUsage(usage: Usage | undefined): Record<string, unknown> {
  const u = usage ?? { input: 0, cachedRead: 0, cacheWrite: 0, output: 0, reasoning: 0 };
  return {
    input_tokens: u.input,
    cache_creation_input_tokens: u.cacheWrite,
    cache_read_input_tokens: u.cachedRead,
    output_tokens: u.output,
    ...(u.reasoning > 0 ? { output_tokens_details: { thinking_tokens: u.reasoning } } : {}),
  };
}

/**
 * A tool call's JSON argument text as the `input` object Messages requires. Empty text is `{}`; text that
 * is not a JSON object (a truncated call, a model's mistake) also becomes `{}`: the tool then reports the
 * missing arguments to the model, which is how a malformed call is best recovered from.
 */
export function argumentsToInput(args: string): Record<string, unknown> {
  if (args.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(args);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

const STATUS_BY_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** An upstream `{type:"error", error:{type, message}}` (body or stream event) as a gateway error. */
export function upstreamErrorFrom(value: Record<string, unknown>): GatewayError {
  const error = child(value, "error") ?? value;
  const status = STATUS_BY_ERROR_TYPE[text(error.type) ?? ""] ?? 502;
  return new GatewayError(status, "upstream_error", errorMessage(error));
}

/** A 502 for an upstream answer that is not a Messages answer. */
export function badAnswer(message: string): GatewayError {
  return new GatewayError(502, "upstream_error", `anthropic upstream: ${message}`);
}
