/**
 * A streamGenerateContent (`alt=sse`) stream from a Gemini upstream → canonical events. Every event is a
 * whole GenerateContentResponse holding the next parts; function calls always arrive whole (Gemini never
 * streams arguments), usageMetadata is repeated and cumulative (the last one counts).
 */
import type { CanonicalEvent, StreamDecoder } from "../canonical";
import { SseStreamDecoder } from "../sse-decoder";
import { child, isObject, parseJsonObject, text } from "../json";
import { decodeSseBlock } from "../sse";
import type { Usage } from "../types";
import { fromGeminiUsage } from "./usage";
import { answerCallId, fromGeminiFinish, upstreamError } from "./wire";

class GeminiStreamDecoder extends SseStreamDecoder {
  #started = false;
  #responseId: string | undefined;
  /** The open text or thinking block, if any. */
  #open: { kind: "text" | "thinking"; index: number } | undefined;
  #nextIndex = 0;
  #calls = 0;
  #usage: Usage | undefined;
  #finished = false;
  #failed = false;

  protected override ended(out: CanonicalEvent[]): void {
    // A block left open after the finish is closed; without a finish the stream is broken and stays so.
    if (this.#finished) this.#close(out);
  }

  protected event(block: Uint8Array, out: CanonicalEvent[]): void {
    if (this.#failed) return;
    const event = decodeSseBlock(block);
    const chunk = event && parseJsonObject(event.data);
    if (!chunk) return;
    if (chunk.error !== undefined && chunk.error !== null) {
      this.#failed = true;
      out.push({ type: "error", error: upstreamError(chunk.error) });
      return;
    }
    if (!this.#started) {
      this.#started = true;
      this.#responseId = text(chunk.responseId);
      out.push({ type: "start", id: this.#responseId ?? "", model: text(chunk.modelVersion) ?? "" });
    }
    const candidates = chunk.candidates;
    const candidate = Array.isArray(candidates) && isObject(candidates[0]) ? candidates[0] : undefined;
    const parts = child(candidate, "content")?.parts;
    if (Array.isArray(parts)) for (const part of parts) if (isObject(part)) this.#part(part, out);
    const usageMetadata = child(chunk, "usageMetadata");
    if (usageMetadata) this.#pushUsage(fromGeminiUsage(usageMetadata), out);
    if (this.#finished) return;
    const reason = text(candidate?.finishReason);
    if (reason) {
      this.#finish(fromGeminiFinish(reason, this.#calls > 0), out);
    } else if (!candidate && text(child(chunk, "promptFeedback")?.blockReason)) {
      this.#finish("content_filter", out);
    }
  }

  #part(part: Record<string, unknown>, out: CanonicalEvent[]): void {
    const signature = text(part.thoughtSignature);
    const call = child(part, "functionCall");
    if (call) {
      this.#close(out);
      const index = this.#nextIndex++;
      const id = text(call.id) ?? answerCallId(this.#responseId, this.#calls);
      this.#calls++;
      const name = typeof call.name === "string" ? call.name : "";
      out.push({
        type: "block_start",
        index,
        block: { kind: "tool_call", id, name, ...(signature ? { signature } : {}) },
      });
      out.push({
        type: "tool_args_delta",
        index,
        json: JSON.stringify(isObject(call.args) ? call.args : {}),
      });
      out.push({ type: "block_stop", index });
      return;
    }
    const value = typeof part.text === "string" ? part.text : "";
    if (part.thought === true) {
      const index = this.#ensure("thinking", out);
      if (value) out.push({ type: "thinking_delta", index, text: value });
      if (signature) out.push({ type: "thinking_signature", index, signature });
      return;
    }
    if (value) out.push({ type: "text_delta", index: this.#ensure("text", out), text: value });
    if (signature) {
      // A signed text part: the signature follows the text as its own (empty) thinking block, the same
      // shape decodeGeminiResponse gives it.
      this.#close(out);
      const index = this.#nextIndex++;
      out.push({ type: "block_start", index, block: { kind: "thinking", origin: "gemini" } });
      out.push({ type: "thinking_signature", index, signature });
      out.push({ type: "block_stop", index });
    }
  }

  /** The index of an open block of this kind, opening one (and closing another) when needed. */
  #ensure(kind: "text" | "thinking", out: CanonicalEvent[]): number {
    if (this.#open?.kind === kind) return this.#open.index;
    this.#close(out);
    const index = this.#nextIndex++;
    out.push({
      type: "block_start",
      index,
      block: kind === "text" ? { kind: "text" } : { kind: "thinking", origin: "gemini" },
    });
    this.#open = { kind, index };
    return index;
  }

  #close(out: CanonicalEvent[]): void {
    if (!this.#open) return;
    out.push({ type: "block_stop", index: this.#open.index });
    this.#open = undefined;
  }

  #pushUsage(usage: Usage, out: CanonicalEvent[]): void {
    const last = this.#usage;
    if (
      last &&
      last.input === usage.input &&
      last.cachedRead === usage.cachedRead &&
      last.cacheWrite === usage.cacheWrite &&
      last.output === usage.output &&
      last.reasoning === usage.reasoning
    ) {
      return;
    }
    this.#usage = usage;
    out.push({ type: "usage", usage });
  }

  #finish(reason: ReturnType<typeof fromGeminiFinish>, out: CanonicalEvent[]): void {
    this.#close(out);
    this.#finished = true;
    out.push({ type: "finish", reason });
  }
}

/** A fresh decoder for one streamed Gemini answer. */
export function createGeminiStreamDecoder(): StreamDecoder {
  return new GeminiStreamDecoder();
}
