/** A canonical request as a Messages body for an Anthropic upstream; what it drops or changes: see outbound.ts. */
import { GatewayError } from "../../core/errors";
import type {
  CanonicalMessage,
  CanonicalRequest,
  ContentPart,
  ImagePart,
  MediaSource,
  TextPart,
} from "../canonical";
import { asFunctionTool } from "../custom-tool";
import { EFFORT_BUDGET, MIN_THINKING_BUDGET, STRUCTURED_OUTPUT_TOOL, argumentsToInput } from "./wire";

type Json = Record<string, unknown>;
type Turn = { role: "user" | "assistant"; content: Json[] };

export const DEFAULT_MAX_TOKENS = 4096;

function unsupported(message: string): GatewayError {
  return new GatewayError(400, "unsupported", `anthropic upstream: ${message}`);
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/** An image source; data: URLs (as OpenAI clients send images) become base64, which is all Anthropic takes. */
function imageSource(source: MediaSource): Json {
  if (source.kind === "base64") return { type: "base64", media_type: source.mediaType, data: source.data };
  const inline = DATA_URL.exec(source.url);
  if (inline) return { type: "base64", media_type: inline[1], data: inline[2] };
  return { type: "url", url: source.url };
}

function documentSource(source: MediaSource): Json {
  const inline = source.kind === "url" ? DATA_URL.exec(source.url) : null;
  const base64 =
    source.kind === "base64" ? source : inline ? { mediaType: inline[1], data: inline[2] } : undefined;
  if (!base64) return { type: "url", url: (source as { url: string }).url };
  if (base64.mediaType === "application/pdf")
    return { type: "base64", media_type: "application/pdf", data: base64.data };
  if (base64.mediaType === "text/plain")
    return {
      type: "text",
      media_type: "text/plain",
      data: Buffer.from(base64.data, "base64").toString("utf8"),
    };
  throw unsupported(`documents of type ${base64.mediaType} (only PDF and plain text)`);
}

/**
 * Anthropic takes tool ids matching [A-Za-z0-9_-]+ only; other vendors' ids (Kimi's `functions.f:0`) are
 * mapped the same way in the call and in its result, so the link between them holds.
 */
function toolId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, "_") || "toolu_";
}

function resultContent(parts: (TextPart | ImagePart)[]): Json[] {
  const blocks: Json[] = [];
  for (const part of parts) {
    if (part.type === "text") {
      if (part.text !== "") blocks.push({ type: "text", text: part.text });
    } else {
      blocks.push({ type: "image", source: imageSource(part.source) });
    }
  }
  return blocks;
}

function toBlock(part: ContentPart): Json | undefined {
  switch (part.type) {
    case "text":
      return part.text === "" ? undefined : { type: "text", text: part.text };
    case "image":
      return { type: "image", source: imageSource(part.source) };
    case "document":
      return {
        type: "document",
        source: documentSource(part.source),
        ...(part.title ? { title: part.title } : {}),
      };
    case "tool_call":
      return {
        type: "tool_use",
        id: toolId(part.id),
        name: part.name,
        input: argumentsToInput(part.arguments),
      };
    case "tool_result": {
      const content = resultContent(part.content);
      return {
        type: "tool_result",
        tool_use_id: toolId(part.toolCallId),
        ...(content.length > 0 ? { content } : {}),
        ...(part.isError ? { is_error: true } : {}),
      };
    }
    case "thinking":
      return part.origin === "anthropic" && part.signature
        ? { type: "thinking", thinking: part.text, signature: part.signature }
        : undefined;
    case "redacted_thinking":
      return { type: "redacted_thinking", data: part.data };
  }
}

/** Alternating turns with tool results first in each user turn. */
function toTurns(messages: CanonicalMessage[]): Turn[] {
  const turns: Turn[] = [];
  for (const message of messages) {
    const content: Json[] = [];
    for (const part of message.content) {
      const block = toBlock(part);
      if (block) content.push(block);
    }
    if (content.length === 0) continue;
    const last = turns[turns.length - 1];
    if (last && last.role === message.role) last.content.push(...content);
    else turns.push({ role: message.role, content });
  }
  for (const turn of turns) {
    if (turn.role !== "user") continue;
    const results = turn.content.filter((b) => b.type === "tool_result");
    if (results.length > 0 && results.length < turn.content.length)
      turn.content = [...results, ...turn.content.filter((b) => b.type !== "tool_result")];
  }
  return turns;
}

/** Whether the last assistant turn calls a tool without starting with (redacted) thinking. */
function unsignedToolTurn(turns: Turn[]): boolean {
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i];
    if (turn.role !== "assistant") continue;
    const first = turn.content[0]?.type;
    return (
      turn.content.some((b) => b.type === "tool_use") && first !== "thinking" && first !== "redacted_thinking"
    );
  }
  return false;
}

function thinkingBudget(req: CanonicalRequest): number | undefined {
  const r = req.reasoning;
  if (!r?.enabled) return undefined;
  const budget = r.budgetTokens ?? EFFORT_BUDGET[r.effort ?? "medium"];
  return Math.max(MIN_THINKING_BUDGET, Math.floor(budget));
}

/** The Messages body for `req`; throws GatewayError(400, "unsupported") for what Messages cannot carry. */
export function encodeAnthropicRequest(
  req: CanonicalRequest,
  opts: { model: string; stream: boolean; extraBody: Record<string, unknown> },
): Record<string, unknown> {
  const turns = toTurns(req.messages);
  const body: Json = { model: opts.model, max_tokens: req.maxTokens ?? DEFAULT_MAX_TOKENS, messages: turns };
  const system = req.system.filter((s) => s !== "");
  if (system.length > 0) body.system = system.map((text) => ({ type: "text", text }));

  const tools: Json[] = (req.tools ?? []).map(asFunctionTool).map((tool) => ({
    name: tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    input_schema: { type: "object", ...tool.parameters },
    ...(tool.strict ? { strict: true } : {}),
  }));
  let toolChoice: Json | undefined;
  if (tools.length > 0 && req.toolChoice) {
    const c = req.toolChoice;
    toolChoice =
      c.type === "required"
        ? { type: "any" }
        : c.type === "tool"
          ? { type: "tool", name: c.name }
          : { type: c.type };
  }
  if (tools.length > 0 && req.parallelToolCalls === false && toolChoice?.type !== "none")
    toolChoice = { ...(toolChoice ?? { type: "auto" }), disable_parallel_tool_use: true };

  const format = req.responseFormat;
  if (format?.type === "json_schema") {
    body.output_config = { format: { type: "json_schema", schema: format.schema } };
  } else if (format?.type === "json_object") {
    tools.push({
      name: STRUCTURED_OUTPUT_TOOL,
      description: "Give the answer as a JSON object: the input of this tool is the answer.",
      input_schema: { type: "object" },
    });
    toolChoice = { type: "tool", name: STRUCTURED_OUTPUT_TOOL };
  }
  if (tools.length > 0) body.tools = tools;
  if (toolChoice) body.tool_choice = toolChoice;

  let budget = thinkingBudget(req);
  const forced = toolChoice?.type === "any" || toolChoice?.type === "tool";
  if (budget !== undefined && (forced || unsignedToolTurn(turns))) budget = undefined;
  if (budget !== undefined) {
    body.thinking = { type: "enabled", budget_tokens: budget };
    if ((body.max_tokens as number) <= budget) body.max_tokens = budget + DEFAULT_MAX_TOKENS;
    if (req.topP !== undefined && req.topP >= 0.95 && req.topP <= 1) body.top_p = req.topP;
  } else {
    if (req.reasoning?.enabled === false) body.thinking = { type: "disabled" };
    if (req.temperature !== undefined) body.temperature = Math.min(1, Math.max(0, req.temperature));
    if (req.topP !== undefined) body.top_p = req.topP;
    if (req.topK !== undefined) body.top_k = req.topK;
  }
  if (req.stop && req.stop.length > 0) body.stop_sequences = req.stop;
  if (req.user) body.metadata = { user_id: req.user };
  if (opts.stream) body.stream = true;
  return { ...body, ...opts.extraBody, model: opts.model };
}
