/** Readers for the settings of a Responses request (tools, tool_choice, text format, reasoning, metadata). */
import type { CanonicalTool, Feature, ReasoningConfig, ResponseFormat, ToolChoice } from "../canonical";
import { CUSTOM_TOOL_PARAMETERS } from "../custom-tool";
import { isObject } from "../json";
import { invalid } from "../request";

type Json = Record<string, unknown>;

export function requireString(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") throw invalid(`${field} must be a non-empty string`, field);
  return value;
}

export function requireText(value: unknown, field: string): string {
  if (typeof value !== "string") throw invalid(`${field} must be a string`, field);
  return value;
}

export function optionalNumber(body: Json, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(`${field} must be a number`, field);
  return value;
}

export function readTools(tools: unknown, features: Set<Feature>): CanonicalTool[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw invalid("tools must be an array", "tools");
  const out: CanonicalTool[] = [];
  tools.forEach((tool, i) => {
    if (!isObject(tool)) throw invalid(`tools[${i}] must be an object`, `tools[${i}]`);
    if (tool.type === "custom") {
      out.push(customTool(tool, `tools[${i}]`));
      return;
    }
    if (tool.type !== "function") {
      features.add("server_tools");
      return;
    }
    const name = requireString(tool.name, `tools[${i}].name`);
    const parameters = tool.parameters ?? { type: "object", properties: {} };
    if (!isObject(parameters))
      throw invalid(`tools[${i}].parameters must be an object`, `tools[${i}].parameters`);
    const canonical: CanonicalTool = { name, parameters };
    if (typeof tool.description === "string") canonical.description = tool.description;
    // Only `strict: true` means something beyond the other protocols' default.
    if (tool.strict === true) canonical.strict = true;
    out.push(canonical);
  });
  return out;
}

/** A freeform tool (Codex's apply_patch): plain-text input, optionally bound by a grammar (custom-tool.ts). */
function customTool(tool: Json, field: string): CanonicalTool {
  const out: CanonicalTool = {
    name: requireString(tool.name, `${field}.name`),
    parameters: CUSTOM_TOOL_PARAMETERS,
    kind: "custom",
  };
  if (typeof tool.description === "string") out.description = tool.description;
  const format = tool.format;
  if (isObject(format) && format.type === "grammar") {
    out.grammar = {
      syntax: requireString(format.syntax, `${field}.format.syntax`),
      definition: requireText(format.definition, `${field}.format.definition`),
    };
  }
  return out;
}

/** tool_choice; `allowed_tools` narrows the tool list (returned) and keeps its mode. */
export function readToolChoice(
  choice: unknown,
  features: Set<Feature>,
): { choice?: ToolChoice; allowed?: Set<string> } {
  if (choice === undefined || choice === null) return {};
  if (choice === "auto" || choice === "none" || choice === "required") return { choice: { type: choice } };
  if (!isObject(choice))
    throw invalid("tool_choice must be auto, none, required or an object", "tool_choice");
  if (choice.type === "function" || choice.type === "custom")
    return { choice: { type: "tool", name: requireString(choice.name, "tool_choice.name") } };
  if (choice.type === "allowed_tools") {
    if (choice.mode !== "auto" && choice.mode !== "required")
      throw invalid("tool_choice.mode must be auto or required", "tool_choice.mode");
    const allowed = new Set<string>();
    for (const tool of Array.isArray(choice.tools) ? choice.tools : []) {
      if (
        isObject(tool) &&
        (tool.type === "function" || tool.type === "custom") &&
        typeof tool.name === "string"
      )
        allowed.add(tool.name);
      else features.add("server_tools");
    }
    return { choice: { type: choice.mode }, allowed };
  }
  // A hosted tool, an MCP server or a custom tool forced by name.
  features.add("server_tools");
  return {};
}

export function readFormat(text: unknown): ResponseFormat | undefined {
  if (!isObject(text) || !isObject(text.format)) return undefined;
  const format = text.format;
  switch (format.type) {
    case "text":
      return { type: "text" };
    case "json_object":
      return { type: "json_object" };
    case "json_schema": {
      if (!isObject(format.schema))
        throw invalid("text.format.schema must be an object", "text.format.schema");
      const out: ResponseFormat = {
        type: "json_schema",
        name: requireString(format.name, "text.format.name"),
        schema: format.schema,
      };
      if (typeof format.description === "string") out.description = format.description;
      if (typeof format.strict === "boolean") out.strict = format.strict;
      return out;
    }
    default:
      throw invalid("text.format.type must be text, json_object or json_schema", "text.format.type");
  }
}

export function readReasoning(reasoning: unknown): ReasoningConfig | undefined {
  if (reasoning === undefined || reasoning === null) return undefined;
  if (!isObject(reasoning)) throw invalid("reasoning must be an object", "reasoning");
  const summary = reasoning.summary ?? reasoning.generate_summary;
  const includeThoughts = typeof summary === "string";
  const effort = reasoning.effort;
  if (effort === "none") return { enabled: false };
  const out: ReasoningConfig = { enabled: true };
  if (effort === "minimal" || effort === "low" || effort === "medium" || effort === "high")
    out.effort = effort;
  else if (effort === "xhigh" || effort === "max") out.effort = "high";
  else if (effort !== undefined && effort !== null)
    throw invalid("reasoning.effort is not a known effort", "reasoning.effort");
  if (includeThoughts) out.includeThoughts = true;
  return out;
}

export function readMetadata(metadata: unknown): Record<string, string> | undefined {
  if (metadata === undefined || metadata === null) return undefined;
  if (!isObject(metadata)) throw invalid("metadata must be an object", "metadata");
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== "string") throw invalid(`metadata.${key} must be a string`, `metadata.${key}`);
    out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
