import type { CanonicalResponse, RenderContext, TextPart } from "../canonical";
import { customToolInput } from "../custom-tool";
import { packToolCallId } from "../tool-id";
import {
  itemId,
  reasoningItemForClient,
  responseIdFor,
  responseShell,
  statusOfFinish,
  toOpenAIResponsesUsage,
} from "./shared";

/** One output item of a Response object, as the client reads it. */
export type OutputItem = Record<string, unknown> & { type: string };

export function outputTextPart(text: string) {
  return { type: "output_text" as const, text, annotations: [] as unknown[] };
}

export function messageItem(id: string, texts: string[], status: "in_progress" | "completed") {
  return { id, type: "message", status, role: "assistant", content: texts.map(outputTextPart) };
}

export function functionCallItem(
  id: string,
  call: { id: string; name: string; signature?: string },
  args: string,
  status: "in_progress" | "completed",
) {
  return {
    id,
    type: "function_call",
    status,
    arguments: args,
    call_id: packToolCallId(call.id, call.signature),
    name: call.name,
  };
}

/** A call of a custom (freeform) tool, whose input is the text its canonical arguments wrap. */
export function customToolCallItem(
  id: string,
  call: { id: string; name: string; signature?: string },
  args: string,
  status: "in_progress" | "completed",
) {
  return {
    id,
    type: "custom_tool_call",
    status,
    call_id: packToolCallId(call.id, call.signature),
    name: call.name,
    input: status === "completed" ? customToolInput(args) : "",
  };
}

/** The whole Response object for a canonical answer. */
export function encodeOpenAIResponsesResponse(res: CanonicalResponse, ctx: RenderContext) {
  const id = responseIdFor(res.id, ctx.id);
  const output: OutputItem[] = [];
  let texts: TextPart[] = [];
  const flushText = () => {
    if (texts.length === 0) return;
    output.push(
      messageItem(
        itemId("msg", id, output.length),
        texts.map((t) => t.text),
        "completed",
      ),
    );
    texts = [];
  };
  for (const part of res.content) {
    if (part.type === "text") {
      texts.push(part);
      continue;
    }
    flushText();
    if (part.type === "thinking" || part.type === "redacted_thinking") {
      output.push(reasoningItemForClient(part, itemId("rs", id, output.length)));
    } else if (part.type === "tool_call") {
      output.push(
        ctx.customTools?.includes(part.name)
          ? customToolCallItem(itemId("ctc", id, output.length), part, part.arguments, "completed")
          : functionCallItem(itemId("fc", id, output.length), part, part.arguments, "completed"),
      );
    }
  }
  flushText();
  const { status, incomplete_details } = statusOfFinish(res.finish);
  return {
    ...responseShell(id, ctx.model, res.created ?? ctx.created),
    status,
    incomplete_details,
    ...(status === "failed"
      ? { error: { code: "server_error", message: "the upstream answer ended with an error" } }
      : {}),
    output,
    usage: res.usage ? toOpenAIResponsesUsage(res.usage) : null,
  };
}
