/**
 * Custom (freeform) tools across protocols. A Responses `custom` tool takes plain text, not JSON arguments
 * (Codex's apply_patch takes a patch). Chat Completions functions, Anthropic tools and Gemini function
 * declarations take JSON objects only, so a custom tool travels to them as a function with one string
 * parameter, `input`; its calls' arguments are `{"input": text}` in the canonical form, and the text is
 * unwrapped again for a Responses client.
 */
import type { CanonicalTool } from "./canonical";
import { isObject } from "./json";

/** The canonical `parameters` of a custom tool: one string, the tool's whole input. */
export const CUSTOM_TOOL_PARAMETERS: Record<string, unknown> = {
  type: "object",
  properties: { input: { type: "string", description: "The tool's whole input, as plain text." } },
  required: ["input"],
  additionalProperties: false,
};

/** The tool as a plain function tool, for upstreams without freeform tools (its grammar goes into the description). */
export function asFunctionTool(tool: CanonicalTool): CanonicalTool {
  if (tool.kind !== "custom") return tool;
  const { kind: _kind, grammar, ...rest } = tool;
  if (!grammar) return rest;
  const rule = `The \`input\` string must follow this ${grammar.syntax} grammar:\n${grammar.definition}`;
  return { ...rest, description: rest.description ? `${rest.description}\n\n${rule}` : rule };
}

/** The canonical arguments of a custom tool call with this input. */
export function customToolArguments(input: string): string {
  return JSON.stringify({ input });
}

/**
 * The input of a custom tool call from its canonical arguments: `input` of `{"input": text}`; a model that
 * named the one string field otherwise still gets its text through; anything else is passed as it is.
 */
export function customToolInput(args: string): string {
  let value: unknown;
  try {
    value = JSON.parse(args);
  } catch {
    return args;
  }
  if (!isObject(value)) return args;
  if (typeof value.input === "string") return value.input;
  const strings = Object.values(value).filter((v): v is string => typeof v === "string");
  return Object.keys(value).length === 1 && strings.length === 1 ? (strings[0] as string) : args;
}
