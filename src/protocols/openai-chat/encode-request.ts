/** A canonical request as a Chat Completions body for an OpenAI-style upstream (the outbound side). */
import { GatewayError } from "../../core/errors";
import type {
  CanonicalMessage,
  CanonicalRequest,
  ContentPart,
  ImagePart,
  ReasoningConfig,
} from "../canonical";
import { asFunctionTool } from "../custom-tool";
import { child } from "../json";
import { mediaToUrl } from "./convert";

type Json = Record<string, unknown>;

/** Thinking budget → reasoning effort: ≤2048 low, ≤8192 medium, else high. */
export function effortFromBudget(budget: number): NonNullable<ReasoningConfig["effort"]> {
  if (budget <= 2048) return "low";
  if (budget <= 8192) return "medium";
  return "high";
}

function unsupported(message: string, field?: string): GatewayError {
  return new GatewayError(400, "unsupported", message, field);
}

function imageUrlPart(part: ImagePart): Json {
  return {
    type: "image_url",
    image_url: { url: mediaToUrl(part.source), ...(part.detail ? { detail: part.detail } : {}) },
  };
}

/** A user turn's non-tool content as a `user` message (a plain string when it is one text). */
function userMessage(parts: ContentPart[]): Json | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1 && parts[0]?.type === "text") return { role: "user", content: parts[0].text };
  const content: Json[] = [];
  for (const part of parts) {
    switch (part.type) {
      case "text":
        content.push({ type: "text", text: part.text });
        break;
      case "image":
        content.push(imageUrlPart(part));
        break;
      case "document":
        if (part.source.kind !== "base64") {
          // Chat Completions files are inline data or an uploaded file id, never a URL.
          throw unsupported("OpenAI chat upstreams cannot read a document by URL", "messages");
        }
        content.push({
          type: "file",
          file: {
            file_data: mediaToUrl(part.source),
            ...(part.title ? { filename: part.title } : {}),
          },
        });
        break;
      default:
        // Thinking or tool calls in a user turn have no meaning here.
        break;
    }
  }
  return content.length > 0 ? { role: "user", content } : undefined;
}

/**
 * A user turn: each tool result becomes a `tool` message, first (they must follow the assistant's
 * tool_calls directly). Tool messages hold text only, so images a tool returned go into the user message
 * after them, ahead of the turn's own content. `isError` has no field here and is dropped (the result text
 * itself says what failed).
 */
function pushUserTurn(out: Json[], message: CanonicalMessage): void {
  const rest: ContentPart[] = [];
  const toolImages: ImagePart[] = [];
  for (const part of message.content) {
    if (part.type !== "tool_result") {
      rest.push(part);
      continue;
    }
    let text = "";
    for (const item of part.content) {
      if (item.type === "text") text += text === "" ? item.text : `\n${item.text}`;
      else toolImages.push(item);
    }
    out.push({ role: "tool", tool_call_id: part.toolCallId, content: text });
  }
  const user = userMessage([...toolImages, ...rest]);
  if (user) out.push(user);
}

/**
 * An assistant turn. Thinking text goes back as `reasoning_content`: DeepSeek's thinking mode requires it
 * on turns with tool calls (a 400 otherwise) and ignores it elsewhere; signatures, encrypted content and
 * redacted thinking belong to other protocols and are dropped.
 */
function assistantMessage(message: CanonicalMessage): Json {
  let text: string | null = null;
  let reasoning: string | undefined;
  const toolCalls: Json[] = [];
  for (const part of message.content) {
    if (part.type === "text") text = (text ?? "") + part.text;
    else if (part.type === "thinking" && part.text !== "") reasoning = (reasoning ?? "") + part.text;
    else if (part.type === "tool_call") {
      toolCalls.push({
        id: part.id,
        type: "function",
        function: { name: part.name, arguments: part.arguments },
      });
    }
  }
  return {
    role: "assistant",
    content: text ?? (toolCalls.length > 0 ? null : ""),
    ...(reasoning !== undefined ? { reasoning_content: reasoning } : {}),
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
}

/** Whether any instruction or message text names JSON (OpenAI's JSON mode refuses requests that do not). */
function mentionsJson(req: CanonicalRequest): boolean {
  const json = /json/i;
  if (req.system.some((text) => json.test(text))) return true;
  return req.messages.some((message) =>
    message.content.some(
      (part) =>
        (part.type === "text" && json.test(part.text)) ||
        (part.type === "tool_result" && part.content.some((c) => c.type === "text" && json.test(c.text))),
    ),
  );
}

function messages(req: CanonicalRequest): Json[] {
  const out: Json[] = [];
  const system = [...req.system];
  // JSON mode from a protocol without that rule (Gemini's responseMimeType) gets the word OpenAI requires.
  if (req.responseFormat?.type === "json_object" && !mentionsJson(req)) system.push("Respond in JSON.");
  if (system.length > 0) out.push({ role: "system", content: system.join("\n\n") });
  for (const message of req.messages) {
    if (message.role === "user") pushUserTurn(out, message);
    else out.push(assistantMessage(message));
  }
  return out;
}

function toolChoice(req: CanonicalRequest): unknown {
  const choice = req.toolChoice;
  if (!choice) return undefined;
  if (choice.type === "tool") return { type: "function", function: { name: choice.name } };
  return choice.type;
}

function responseFormat(req: CanonicalRequest): unknown {
  const format = req.responseFormat;
  if (!format || format.type !== "json_schema") return format;
  return {
    type: "json_schema",
    json_schema: {
      name: format.name,
      schema: format.schema,
      ...(format.description !== undefined ? { description: format.description } : {}),
      ...(format.strict !== undefined ? { strict: format.strict } : {}),
    },
  };
}

function reasoningEffort(reasoning: ReasoningConfig | undefined): string | undefined {
  if (!reasoning?.enabled) return undefined;
  if (reasoning.effort) return reasoning.effort;
  if (reasoning.budgetTokens !== undefined) return effortFromBudget(reasoning.budgetTokens);
  return undefined;
}

/** The Chat Completions body for a canonical request; see outbound.ts for what is dropped and why. */
export function encodeOpenAIChatRequest(
  req: CanonicalRequest,
  opts: { model: string; stream: boolean; extraBody: Record<string, unknown> },
): Record<string, unknown> {
  const body: Json = { model: opts.model, messages: messages(req) };
  const hasTools = (req.tools?.length ?? 0) > 0;
  if (hasTools) {
    body.tools = req.tools?.map(asFunctionTool).map((tool) => ({
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        parameters: tool.parameters,
        ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
      },
    }));
    // Only beside tools: OpenAI rejects tool_choice and parallel_tool_calls without them.
    const choice = toolChoice(req);
    if (choice !== undefined) body.tool_choice = choice;
    if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  }
  const format = responseFormat(req);
  if (format !== undefined) body.response_format = format;
  // max_tokens, not max_completion_tokens: DeepSeek, GLM, Qwen and most compatible vendors know only it.
  if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.stop && req.stop.length > 0) body.stop = req.stop;
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.frequencyPenalty !== undefined) body.frequency_penalty = req.frequencyPenalty;
  if (req.presencePenalty !== undefined) body.presence_penalty = req.presencePenalty;
  if (req.user !== undefined) body.user = req.user;
  const effort = reasoningEffort(req.reasoning);
  if (effort !== undefined) body.reasoning_effort = effort;
  const out: Json = { ...body, ...opts.extraBody, model: opts.model };
  if (opts.stream) {
    out.stream = true;
    // The gateway needs usage for the request record; OpenAI sends it only when asked.
    out.stream_options = { ...child(opts.extraBody, "stream_options"), include_usage: true };
  }
  return out;
}
