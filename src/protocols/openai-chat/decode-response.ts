import { GatewayError } from "../../core/errors";
import type { CanonicalResponse, ContentPart } from "../canonical";
import { errorMessage, isObject } from "../json";
import { fromOpenAIChatFinish, reasoningOf } from "./convert";
import { fromOpenAIChatUsage } from "./usage";

function badAnswer(message: string): GatewayError {
  return new GatewayError(502, "upstream_error", message);
}

/** Text of a `content` that some vendors send as an array of text parts. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let out = "";
  for (const part of content) if (isObject(part) && typeof part.text === "string") out += part.text;
  return out;
}

/** A `chat.completion` from an upstream as a canonical answer (the outbound side). */
export function decodeOpenAIChatResponse(body: unknown): CanonicalResponse {
  if (!isObject(body)) throw badAnswer("the upstream answer is not a JSON object");
  if (body.error !== undefined && body.error !== null) throw badAnswer(errorMessage(body.error));
  const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!isObject(choice) || !isObject(choice.message)) {
    throw badAnswer("the upstream answer has no choices[0].message");
  }
  const message = choice.message;
  const content: ContentPart[] = [];
  const reasoning = reasoningOf(message);
  if (reasoning !== undefined) content.push({ type: "thinking", text: reasoning, origin: "openai" });
  const text = contentText(message.content);
  if (text !== "") content.push({ type: "text", text });
  if (typeof message.refusal === "string" && message.refusal !== "") {
    content.push({ type: "text", text: message.refusal });
  }
  let calls = 0;
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      const fn = isObject(call) ? call.function : undefined;
      if (!isObject(call) || !isObject(fn) || typeof fn.name !== "string") continue;
      content.push({
        type: "tool_call",
        id: typeof call.id === "string" && call.id !== "" ? call.id : `call_${calls}`,
        name: fn.name,
        arguments: typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
      });
      calls++;
    }
  }
  const legacy = message.function_call;
  if (isObject(legacy) && typeof legacy.name === "string") {
    content.push({
      type: "tool_call",
      id: `call_${calls}`,
      name: legacy.name,
      arguments: typeof legacy.arguments === "string" ? legacy.arguments : "{}",
    });
    calls++;
  }
  const res: CanonicalResponse = {
    id: typeof body.id === "string" ? body.id : "",
    model: typeof body.model === "string" ? body.model : "",
    content,
    finish: fromOpenAIChatFinish(choice.finish_reason, calls > 0),
  };
  if (isObject(body.usage)) res.usage = fromOpenAIChatUsage(body.usage);
  if (typeof body.created === "number") res.created = body.created;
  return res;
}
