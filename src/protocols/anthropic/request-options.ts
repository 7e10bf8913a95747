/** Request-level Messages fields as canonical options: tool choice, thinking, structured output, stops. */
import type { ReasoningConfig, ResponseFormat, ToolChoice } from "../canonical";
import { child, isObject } from "../json";
import { invalid } from "../request";

type Json = Record<string, unknown>;

/** A string field (possibly empty); a 400 naming the field otherwise. */
export function requireString(value: unknown, field: string): string {
  if (typeof value !== "string") throw invalid(`${field} must be a string`, field);
  return value;
}

/** An optional finite number; null counts as absent. */
export function optionalNumber(body: Json, key: string, field = key): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(`${field} must be a number`, field);
  return value;
}

/** `tool_choice`; `disable_parallel_tool_use` becomes parallelToolCalls false. */
export function toolChoice(value: unknown): { choice?: ToolChoice; parallel?: boolean } {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalid("tool_choice must be an object", "tool_choice");
  const parallel = value.disable_parallel_tool_use === true ? false : undefined;
  switch (value.type) {
    case "auto":
      return { choice: { type: "auto" }, parallel };
    case "any":
      return { choice: { type: "required" }, parallel };
    case "none":
      return { choice: { type: "none" } };
    case "tool":
      return { choice: { type: "tool", name: requireString(value.name, "tool_choice.name") }, parallel };
    default:
      throw invalid('tool_choice.type must be "auto", "any", "tool" or "none"', "tool_choice.type");
  }
}

const EFFORTS: Record<string, ReasoningConfig["effort"]> = {
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "high",
  max: "high",
};

/** `thinking` and `output_config.effort` as a reasoning config. */
export function reasoning(body: Json): ReasoningConfig | undefined {
  const thinking = body.thinking;
  const effortValue = child(body, "output_config")?.effort;
  const effort = typeof effortValue === "string" ? EFFORTS[effortValue] : undefined;
  if (thinking === undefined || thinking === null) return effort ? { enabled: true, effort } : undefined;
  if (!isObject(thinking)) throw invalid("thinking must be an object", "thinking");
  const display = thinking.display;
  const thoughts =
    display === "omitted"
      ? { includeThoughts: false }
      : display === "summarized"
        ? { includeThoughts: true }
        : {};
  switch (thinking.type) {
    case "enabled": {
      const budget = optionalNumber(thinking, "budget_tokens", "thinking.budget_tokens");
      return {
        enabled: true,
        ...(budget !== undefined ? { budgetTokens: budget } : {}),
        ...(effort ? { effort } : {}),
        ...thoughts,
      };
    }
    case "adaptive":
    case "between_tools":
      return { enabled: true, ...(effort ? { effort } : {}), ...thoughts };
    case "disabled":
      return { enabled: false };
    default:
      throw invalid('thinking.type must be "enabled", "adaptive" or "disabled"', "thinking.type");
  }
}

/** Structured output: GA `output_config.format`, or the beta's top-level `output_format`. */
export function responseFormat(body: Json): ResponseFormat | undefined {
  const format = child(body, "output_config")?.format ?? body.output_format;
  if (format === undefined || format === null) return undefined;
  if (!isObject(format) || format.type !== "json_schema" || !isObject(format.schema))
    throw invalid('output_config.format must be {type:"json_schema", schema}', "output_config.format");
  return { type: "json_schema", name: "response", schema: format.schema };
}

/** `stop_sequences`, undefined when empty. */
export function stopSequences(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((s) => typeof s !== "string"))
    throw invalid("stop_sequences must be an array of strings", "stop_sequences");
  return value.length > 0 ? (value as string[]) : undefined;
}
