/**
 * An upstream's `chat.completion.chunk` stream as canonical events (the outbound side). Chunks carry flat
 * deltas; the decoder turns them into blocks: reasoning deltas open a thinking block, content deltas a text
 * block (closing the thinking block), tool call deltas a tool_call block per upstream tool index (kept open
 * until the finish, since vendors may stream several in parallel). Only choice 0 is read.
 */
import { GatewayError } from "../../core/errors";
import type { CanonicalEvent, StreamDecoder } from "../canonical";
import { SseStreamDecoder } from "../sse-decoder";
import { errorMessage, isObject, parseJsonObject } from "../json";
import { decodeSseBlock } from "../sse";
import { fromOpenAIChatFinish, reasoningOf } from "./convert";
import { fromOpenAIChatUsage } from "./usage";

type Json = Record<string, unknown>;

/** One tool call being streamed: opened as a block once its name is known. */
interface ToolState {
  id: string;
  name: string;
  /** Canonical block index once opened. */
  block?: number;
  /** Arguments that arrived before the name. */
  pending: string;
}

class OpenAIChatStreamDecoder extends SseStreamDecoder {
  #started = false;
  #done = false;
  #finished = false;
  #nextBlock = 0;
  /** The open text or thinking block, if any. */
  #open: { kind: "text" | "thinking"; index: number } | undefined;
  /** Tool calls by key: the upstream's `index`, or an id for vendors that send none. */
  readonly #tools = new Map<string, ToolState>();
  #lastToolKey: string | undefined;
  #toolCount = 0;

  protected event(block: Uint8Array, out: CanonicalEvent[]): void {
    if (this.#done) return;
    const event = decodeSseBlock(block);
    if (!event) return;
    if (event.data.trim() === "[DONE]") {
      this.#done = true;
      return;
    }
    const json = parseJsonObject(event.data);
    if (json) this.#chunk(json, out);
  }

  #chunk(chunk: Json, out: CanonicalEvent[]): void {
    if (chunk.error !== undefined && chunk.error !== null) {
      out.push({ type: "error", error: new GatewayError(502, "upstream_error", errorMessage(chunk.error)) });
      this.#done = true;
      return;
    }
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    const choice = choices.find((c) => isObject(c) && (c.index === undefined || c.index === 0));
    // Azure's first chunk has no choices (prompt filter results only): the answer has not started yet.
    if (!this.#started && (isObject(choice) || isObject(chunk.usage))) {
      this.#started = true;
      out.push({
        type: "start",
        id: typeof chunk.id === "string" ? chunk.id : "",
        model: typeof chunk.model === "string" ? chunk.model : "",
      });
    }
    if (isObject(choice) && !this.#finished) {
      if (isObject(choice.delta)) this.#delta(choice.delta, out);
      const reason = choice.finish_reason;
      if (typeof reason === "string" && reason !== "") {
        // Usage riding on the finishing chunk goes out first; the finish closes the answer.
        this.#closeAll(out);
        if (isObject(chunk.usage)) out.push({ type: "usage", usage: fromOpenAIChatUsage(chunk.usage) });
        this.#finished = true;
        out.push({ type: "finish", reason: fromOpenAIChatFinish(reason, this.#toolCount > 0) });
        return;
      }
    }
    if (isObject(chunk.usage) && this.#started) {
      out.push({ type: "usage", usage: fromOpenAIChatUsage(chunk.usage) });
    }
  }

  #delta(delta: Json, out: CanonicalEvent[]): void {
    const reasoning = reasoningOf(delta);
    if (reasoning !== undefined) this.#text("thinking", reasoning, out);
    const content = delta.content;
    if (typeof content === "string" && content !== "") this.#text("text", content, out);
    if (typeof delta.refusal === "string" && delta.refusal !== "") this.#text("text", delta.refusal, out);
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls) if (isObject(call)) this.#toolDelta(call, out);
    }
    // Legacy streamed function_call: one call, name first, then argument pieces.
    if (isObject(delta.function_call)) this.#toolDelta({ index: 0, function: delta.function_call }, out);
  }

  #text(kind: "text" | "thinking", text: string, out: CanonicalEvent[]): void {
    if (this.#open?.kind !== kind) {
      this.#closeOpen(out);
      const index = this.#nextBlock++;
      this.#open = { kind, index };
      out.push({
        type: "block_start",
        index,
        block: kind === "text" ? { kind: "text" } : { kind: "thinking", origin: "openai" },
      });
    }
    const index = this.#open.index;
    out.push(kind === "text" ? { type: "text_delta", index, text } : { type: "thinking_delta", index, text });
  }

  #toolDelta(call: Json, out: CanonicalEvent[]): void {
    const fn = isObject(call.function) ? call.function : {};
    const id = typeof call.id === "string" && call.id !== "" ? call.id : undefined;
    const name = typeof fn.name === "string" && fn.name !== "" ? fn.name : undefined;
    const args = typeof fn.arguments === "string" ? fn.arguments : undefined;
    const key = this.#toolKey(call, id);
    let tool = this.#tools.get(key);
    if (!tool) {
      tool = { id: id ?? `call_${this.#toolCount}`, name: "", pending: "" };
      this.#toolCount++;
      this.#tools.set(key, tool);
    }
    this.#lastToolKey = key;
    // Vendors that resend id and name on every delta: only the first ones count.
    if (tool.block === undefined) {
      if (id) tool.id = id;
      if (name) tool.name = name;
    }
    if (tool.block === undefined && tool.name !== "") this.#openTool(tool, out);
    if (args === undefined || args === "") return;
    if (tool.block === undefined) tool.pending += args;
    else out.push({ type: "tool_args_delta", index: tool.block, json: args });
  }

  /** Which tool call a delta belongs to. A known index with a different id is a new call (index reuse). */
  #toolKey(call: Json, id: string | undefined): string {
    if (typeof call.index === "number") {
      const key = `#${call.index}`;
      const known = this.#tools.get(key);
      if (known && id !== undefined && known.id !== id && known.block !== undefined) {
        // The same index reused for a new call (seen from some relays): the old call moves aside.
        this.#tools.delete(key);
        this.#tools.set(`${key}~${this.#toolCount}`, known);
      }
      return key;
    }
    if (id !== undefined) {
      for (const [key, tool] of this.#tools) if (tool.id === id) return key;
      return `@${id}`;
    }
    return this.#lastToolKey ?? "#0";
  }

  #openTool(tool: ToolState, out: CanonicalEvent[]): void {
    this.#closeOpen(out);
    tool.block = this.#nextBlock++;
    out.push({
      type: "block_start",
      index: tool.block,
      block: { kind: "tool_call", id: tool.id, name: tool.name },
    });
    if (tool.pending !== "") {
      out.push({ type: "tool_args_delta", index: tool.block, json: tool.pending });
      tool.pending = "";
    }
  }

  #closeOpen(out: CanonicalEvent[]): void {
    if (!this.#open) return;
    out.push({ type: "block_stop", index: this.#open.index });
    this.#open = undefined;
  }

  #closeAll(out: CanonicalEvent[]): void {
    this.#closeOpen(out);
    for (const tool of this.#tools.values()) {
      // A call whose name never came is still a call: it opens now so its arguments are not lost.
      if (tool.block === undefined) this.#openTool(tool, out);
      out.push({ type: "block_stop", index: tool.block as number });
    }
    this.#tools.clear();
  }
}

/** A fresh decoder for one upstream Chat Completions stream. */
export function createOpenAIChatStreamDecoder(): StreamDecoder {
  return new OpenAIChatStreamDecoder();
}
