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

/** OpenAI Chat Completions: `messages`, `tools`, `choices[0].message` and `chat.completion.chunk`s. */

function contentParts(content: unknown): Part[] {
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  return arr(content).map((raw): Part => {
    const p = obj(raw);
    if (p.type === "text") return { type: "text", text: str(p.text) ?? "" };
    if (p.type === "image_url") return { type: "image", source: imageSource(str(obj(p.image_url).url)) };
    return { type: "other", label: str(p.type) ?? "part", json: asText(p) };
  });
}

function toolCalls(calls: unknown): Part[] {
  return arr(calls).map((raw): Part => {
    const c = obj(raw);
    const f = obj(c.function);
    return {
      type: "tool_call",
      ...(str(c.id) ? { id: str(c.id) } : {}),
      name: str(f.name) ?? "?",
      args: prettyJson(str(f.arguments) ?? ""),
    };
  });
}

function thinking(m: Obj): Part[] {
  const text = str(m.reasoning_content) ?? str(m.reasoning);
  return text ? [{ type: "thinking", text }] : [];
}

export function chatRequest(body: Obj): RequestView {
  const system: string[] = [];
  const messages: Message[] = [];
  for (const raw of arr(body.messages)) {
    const m = obj(raw);
    const role = str(m.role) ?? "?";
    if (role === "system") {
      system.push(
        contentParts(m.content)
          .map((p) => (p.type === "text" ? p.text : ""))
          .join("\n"),
      );
      continue;
    }
    if (role === "tool") {
      messages.push({
        role,
        parts: [{ type: "tool_result", id: str(m.tool_call_id), text: asText(m.content) }],
      });
      continue;
    }
    messages.push({ role, parts: [...thinking(m), ...contentParts(m.content), ...toolCalls(m.tool_calls)] });
  }
  const tools = arr(body.tools).map((raw) => {
    const t = obj(raw);
    if (t.type !== "function") return { name: str(t.type) ?? "?", builtin: str(t.type) };
    const f = obj(t.function);
    return functionTool(f.name, f.description, f.parameters);
  });
  return {
    model: str(body.model),
    system,
    messages,
    tools,
    params: restOf(body, ["model", "messages", "tools", "stream"]),
    stream: body.stream === true,
  };
}

export function chatResponse(body: Obj): ReplyView {
  const choice = obj(arr(body.choices)[0]);
  const m = obj(choice.message);
  return {
    model: str(body.model),
    stream: false,
    events: 0,
    parts: [...thinking(m), ...contentParts(m.content), ...toolCalls(m.tool_calls)],
    finishReason: str(choice.finish_reason),
    usage: flattenUsage(body.usage),
    error: errorMessage(body),
  };
}

export function chatStream(events: StreamEvent[]): ReplyView {
  const b = new PartsBuilder();
  let model: string | undefined;
  let finishReason: string | undefined;
  let usage: [string, number][] = [];
  let error: string | undefined;
  for (const { data } of events) {
    model ??= str(data.model);
    error ??= errorMessage(data);
    if (data.usage) usage = flattenUsage(data.usage);
    const choice = obj(arr(data.choices)[0]);
    finishReason = str(choice.finish_reason) ?? finishReason;
    const d = obj(choice.delta);
    b.text("thinking", str(d.reasoning_content) ?? str(d.reasoning));
    b.text("text", str(d.content));
    for (const raw of arr(d.tool_calls)) {
      const c = obj(raw);
      const f = obj(c.function);
      const key = String(c.index ?? c.id ?? 0);
      if (c.id || f.name) b.call(key, str(c.id), str(f.name), str(f.arguments) ?? "");
      else b.args(key, str(f.arguments));
    }
  }
  return { model, stream: true, events: events.length, parts: b.done(), finishReason, usage, error };
}
