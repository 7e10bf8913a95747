import type { CanonicalResponse, ContentPart, RenderContext } from "../canonical";
import { packToolCallId } from "../tool-id";
import { toOpenAIChatFinish, toOpenAIChatUsage } from "./convert";

/** A tool call as the client sees it: a Gemini signature rides inside the id (tool-id.ts). */
function toOpenAIChatToolCall(part: Extract<ContentPart, { type: "tool_call" }>) {
  return {
    id: packToolCallId(part.id, part.signature),
    type: "function",
    function: { name: part.name, arguments: part.arguments },
  };
}

/**
 * A canonical answer as a `chat.completion` (the inbound side). Thinking goes to `reasoning_content`
 * (DeepSeek's field, which OpenAI-style clients read), never into `content`; redacted thinking and
 * thinking signatures have no place here and are left out.
 */
export function encodeOpenAIChatResponse(res: CanonicalResponse, ctx: RenderContext) {
  let text: string | null = null;
  let reasoning: string | undefined;
  const toolCalls: ReturnType<typeof toOpenAIChatToolCall>[] = [];
  for (const part of res.content) {
    if (part.type === "text") text = (text ?? "") + part.text;
    else if (part.type === "thinking" && part.text !== "") reasoning = (reasoning ?? "") + part.text;
    else if (part.type === "tool_call") toolCalls.push(toOpenAIChatToolCall(part));
  }
  return {
    id: res.id || ctx.id,
    object: "chat.completion",
    created: res.created ?? ctx.created,
    model: ctx.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: text,
          ...(reasoning !== undefined ? { reasoning_content: reasoning } : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          refusal: null,
        },
        logprobs: null,
        finish_reason: toOpenAIChatFinish(res.finish),
      },
    ],
    ...(res.usage ? { usage: toOpenAIChatUsage(res.usage) } : {}),
  };
}
