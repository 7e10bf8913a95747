import type { StreamEvent } from "./sse";
import type { Part, ReplyView, RequestView } from "./types";
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
  restOf,
  str,
} from "./util";

/** Anthropic Messages: content blocks, `tool_use` / `tool_result`, thinking, and the event stream. */

function blockText(content: unknown): string {
  if (typeof content === "string") return content;
  return arr(content)
    .map((raw) => {
      const b = obj(raw);
      return b.type === "text" ? (str(b.text) ?? "") : asText(b);
    })
    .join("\n");
}

function blocks(content: unknown): Part[] {
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  return arr(content).map((raw): Part => {
    const b = obj(raw);
    switch (b.type) {
      case "text":
        return { type: "text", text: str(b.text) ?? "" };
      case "thinking":
        return { type: "thinking", text: str(b.thinking) ?? "" };
      case "redacted_thinking":
        return { type: "thinking", text: "", redacted: true };
      case "tool_use":
        return { type: "tool_call", id: str(b.id), name: str(b.name) ?? "?", args: asText(b.input ?? {}) };
      case "tool_result":
        return {
          type: "tool_result",
          id: str(b.tool_use_id),
          text: blockText(b.content),
          ...(b.is_error === true ? { error: true } : {}),
        };
      case "image": {
        const s = obj(b.source);
        return { type: "image", source: imageSource(str(s.url), str(s.media_type)) };
      }
      default:
        return { type: "other", label: str(b.type) ?? "block", json: asText(b) };
    }
  });
}

export function anthropicRequest(body: Obj): RequestView {
  const system = body.system === undefined ? [] : [blockText(body.system)];
  return {
    model: str(body.model),
    system,
    messages: arr(body.messages).map((raw) => {
      const m = obj(raw);
      return { role: str(m.role) ?? "?", parts: blocks(m.content) };
    }),
    tools: arr(body.tools).map((raw) => {
      const t = obj(raw);
      // Server tools (web_search_20250305 …) have a type and no schema.
      if (t.input_schema === undefined && str(t.type))
        return { name: str(t.name) ?? "?", builtin: str(t.type) };
      return functionTool(t.name, t.description, t.input_schema);
    }),
    params: restOf(body, ["model", "system", "messages", "tools", "stream"]),
    stream: body.stream === true,
  };
}

export function anthropicResponse(body: Obj): ReplyView {
  return {
    model: str(body.model),
    stream: false,
    events: 0,
    parts: blocks(body.content),
    finishReason: str(body.stop_reason),
    usage: flattenUsage(body.usage),
    error: errorMessage(body),
  };
}

export function anthropicStream(events: StreamEvent[]): ReplyView {
  const b = new PartsBuilder();
  let model: string | undefined;
  let finishReason: string | undefined;
  const usage = new Map<string, number>();
  let error: string | undefined;
  const addUsage = (u: unknown) => {
    for (const [k, v] of flattenUsage(u)) usage.set(k, v);
  };
  for (const { data } of events) {
    switch (data.type) {
      case "message_start": {
        const m = obj(data.message);
        model = str(m.model);
        addUsage(m.usage);
        break;
      }
      case "content_block_start": {
        const block = obj(data.content_block);
        const key = String(data.index);
        if (block.type === "tool_use" || block.type === "server_tool_use")
          b.call(key, str(block.id), str(block.name));
        else if (block.type === "text") b.text("text", str(block.text));
        else if (block.type === "thinking") b.text("thinking", str(block.thinking));
        else if (block.type === "redacted_thinking")
          b.parts.push({ type: "thinking", text: "", redacted: true });
        break;
      }
      case "content_block_delta": {
        const d = obj(data.delta);
        if (d.type === "text_delta") b.text("text", str(d.text));
        else if (d.type === "thinking_delta") b.text("thinking", str(d.thinking));
        else if (d.type === "input_json_delta") b.args(String(data.index), str(d.partial_json));
        break;
      }
      case "message_delta":
        finishReason = str(obj(data.delta).stop_reason) ?? finishReason;
        addUsage(data.usage);
        break;
      case "error":
        error = errorMessage(data);
        break;
    }
  }
  return {
    model,
    stream: true,
    events: events.length,
    parts: b.done(),
    finishReason,
    usage: [...usage],
    error,
  };
}
