import type { Part, ReplyView, RequestView } from "./types";
import {
  arr,
  asText,
  errorMessage,
  flattenUsage,
  functionTool,
  type Obj,
  obj,
  PartsBuilder,
  restOf,
  str,
} from "./util";

/** Gemini generateContent: `contents` with parts, `functionDeclarations`, candidates and chunk streams. */

function parts(content: unknown): Part[] {
  return arr(obj(content).parts).map((raw): Part => {
    const p = obj(raw);
    if (typeof p.text === "string")
      return p.thought === true ? { type: "thinking", text: p.text } : { type: "text", text: p.text };
    if (p.functionCall) {
      const c = obj(p.functionCall);
      return {
        type: "tool_call",
        ...(str(c.id) ? { id: str(c.id) } : {}),
        name: str(c.name) ?? "?",
        args: asText(c.args ?? {}),
      };
    }
    if (p.functionResponse) {
      const r = obj(p.functionResponse);
      return {
        type: "tool_result",
        ...(str(r.id) ? { id: str(r.id) } : {}),
        name: str(r.name),
        text: asText(r.response),
      };
    }
    if (p.inlineData)
      return { type: "image", source: `${str(obj(p.inlineData).mimeType) ?? "data"} (inline)` };
    if (p.fileData) return { type: "image", source: str(obj(p.fileData).fileUri) ?? "file" };
    return { type: "other", label: Object.keys(p)[0] ?? "part", json: asText(p) };
  });
}

export function geminiRequest(body: Obj): RequestView {
  const system = body.systemInstruction
    ? [
        parts(body.systemInstruction)
          .map((p) => (p.type === "text" ? p.text : ""))
          .join("\n"),
      ]
    : [];
  return {
    // The model is in the URL, not the body.
    model: undefined,
    system,
    messages: arr(body.contents).map((raw) => ({ role: str(obj(raw).role) ?? "user", parts: parts(raw) })),
    tools: arr(body.tools).flatMap((raw) => {
      const t = obj(raw);
      const decls = arr(t.functionDeclarations ?? t.function_declarations);
      if (decls.length)
        return decls.map((d) => {
          const f = obj(d);
          return functionTool(f.name, f.description, f.parameters ?? f.parametersJsonSchema);
        });
      return Object.keys(t).map((k) => ({ name: k, builtin: k }));
    }),
    params: restOf(body, ["contents", "systemInstruction", "tools"]),
    stream: false,
  };
}

export function geminiResponse(body: Obj): ReplyView {
  const c = obj(arr(body.candidates)[0]);
  return {
    model: str(body.modelVersion),
    stream: false,
    events: 0,
    parts: parts(c.content),
    finishReason: str(c.finishReason),
    usage: flattenUsage(body.usageMetadata),
    error: errorMessage(body),
  };
}

/** Chunks of `streamGenerateContent` (SSE or a JSON array): each a whole response carrying a delta. */
export function geminiStream(chunks: Obj[]): ReplyView {
  const b = new PartsBuilder();
  let model: string | undefined;
  let finishReason: string | undefined;
  let usage: [string, number][] = [];
  let error: string | undefined;
  chunks.forEach((chunk, i) => {
    const one = geminiResponse(chunk);
    model ??= one.model;
    finishReason = one.finishReason ?? finishReason;
    if (one.usage.length) usage = one.usage;
    error ??= one.error;
    for (const p of one.parts) {
      if (p.type === "text" || p.type === "thinking") b.text(p.type, p.text);
      else if (p.type === "tool_call") b.call(`${i}:${b.parts.length}`, p.id, p.name, p.args);
      else b.parts.push(p);
    }
  });
  return { model, stream: true, events: chunks.length, parts: b.done(), finishReason, usage, error };
}
