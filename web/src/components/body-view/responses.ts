import type { StreamEvent } from "./sse";
import type { Message, Part, ReplyView, RequestView } from "./types";
import {
  arr,
  asText,
  errorMessage,
  flattenUsage,
  functionTool,
  imageSource,
  type Obj,
  obj,
  PartsBuilder,
  prettyJson,
  restOf,
  str,
} from "./util";

/** OpenAI Responses: `input` items, `output` items and the `response.*` event stream. */

function contentParts(content: unknown): Part[] {
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  return arr(content).map((raw): Part => {
    const p = obj(raw);
    if (p.type === "input_text" || p.type === "output_text" || p.type === "text")
      return { type: "text", text: str(p.text) ?? "" };
    if (p.type === "refusal") return { type: "text", text: str(p.refusal) ?? "" };
    if (p.type === "input_image") return { type: "image", source: imageSource(str(p.image_url)) };
    return { type: "other", label: str(p.type) ?? "part", json: asText(p) };
  });
}

function summaryText(item: Obj): string {
  const parts = [...arr(item.summary), ...arr(item.content)];
  return parts.map((s) => str(obj(s).text) ?? "").join("\n");
}

/** One input or output item as a message (function calls and their outputs become their own turns). */
function itemMessage(raw: unknown): Message {
  const item = obj(raw);
  switch (item.type) {
    case "function_call":
      return {
        role: "assistant",
        parts: [
          {
            type: "tool_call",
            id: str(item.call_id),
            name: str(item.name) ?? "?",
            args: prettyJson(str(item.arguments) ?? ""),
          },
        ],
      };
    case "function_call_output":
      return {
        role: "tool",
        parts: [{ type: "tool_result", id: str(item.call_id), text: asText(item.output) }],
      };
    case "reasoning":
      return {
        role: "assistant",
        parts: [
          {
            type: "thinking",
            text: summaryText(item),
            ...(item.encrypted_content ? { redacted: !summaryText(item) } : {}),
          },
        ],
      };
    case undefined:
    case "message":
      return { role: str(item.role) ?? "?", parts: contentParts(item.content) };
    default:
      return {
        role: str(item.role) ?? "?",
        parts: [{ type: "other", label: String(item.type), json: asText(item) }],
      };
  }
}

/** Consecutive items of the same role become one message, as they form one turn. */
function turns(items: unknown[]): Message[] {
  const out: Message[] = [];
  for (const raw of items) {
    const m = itemMessage(raw);
    const last = out[out.length - 1];
    if (last && last.role === m.role && m.role === "assistant") last.parts.push(...m.parts);
    else out.push(m);
  }
  return out;
}

export function responsesRequest(body: Obj): RequestView {
  const messages =
    typeof body.input === "string"
      ? [{ role: "user", parts: contentParts(body.input) }]
      : turns(arr(body.input));
  return {
    model: str(body.model),
    system: str(body.instructions) ? [str(body.instructions) as string] : [],
    messages,
    tools: arr(body.tools).map((raw) => {
      const t = obj(raw);
      if (t.type !== "function") return { name: str(t.name) ?? str(t.type) ?? "?", builtin: str(t.type) };
      return functionTool(t.name, t.description, t.parameters);
    }),
    params: restOf(body, ["model", "instructions", "input", "tools", "stream"]),
    stream: body.stream === true,
  };
}

/** `completed`, or the reason of an incomplete response (`max_output_tokens`). */
function finishOf(response: Obj): string | undefined {
  return str(obj(response.incomplete_details).reason) ?? str(response.status);
}

export function responsesResponse(body: Obj): ReplyView {
  return {
    model: str(body.model),
    stream: false,
    events: 0,
    parts: turns(arr(body.output)).flatMap((m) => m.parts),
    finishReason: finishOf(body),
    usage: flattenUsage(body.usage),
    error: errorMessage(body),
  };
}

export function responsesStream(events: StreamEvent[]): ReplyView {
  const b = new PartsBuilder();
  let final: Obj | undefined;
  let model: string | undefined;
  let error: string | undefined;
  for (const { event, data } of events) {
    const type = str(data.type) ?? event;
    const key = String(data.output_index ?? data.item_id ?? 0);
    switch (type) {
      case "response.created":
        model = str(obj(data.response).model);
        break;
      case "response.output_text.delta":
      case "response.refusal.delta":
        b.text("text", str(data.delta));
        break;
      case "response.reasoning_summary_text.delta":
      case "response.reasoning_text.delta":
        b.text("thinking", str(data.delta));
        break;
      case "response.output_item.added": {
        const item = obj(data.item);
        if (item.type === "function_call")
          b.call(key, str(item.call_id), str(item.name), str(item.arguments) ?? "");
        break;
      }
      case "response.function_call_arguments.delta":
        b.args(key, str(data.delta));
        break;
      case "response.completed":
      case "response.incomplete":
      case "response.failed":
        final = obj(data.response);
        error ??= errorMessage(final);
        break;
      case "error":
        error = str(data.message) ?? errorMessage(data);
        break;
    }
  }
  // A stream whose deltas were not kept (or not sent) still has its output in the final event.
  const parts = b.parts.length || !final ? b.done() : responsesResponse(final).parts;
  return {
    model: str(final?.model) ?? model,
    stream: true,
    events: events.length,
    parts,
    finishReason: final ? finishOf(final) : undefined,
    usage: flattenUsage(final?.usage),
    error,
  };
}
