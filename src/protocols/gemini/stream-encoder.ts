/**
 * Canonical events → a streamGenerateContent SSE stream for a Gemini client. Gemini sends each piece of
 * text or thought as its own chunk, a function call whole in one chunk, and finishReason with the final
 * usageMetadata on the last chunk; a client that did not ask for `alt=sse` gets these chunks re-framed
 * into a JSON array by the proxy (json-array.ts), so this always writes SSE.
 */
import type { GatewayError } from "../../core/errors";
import type { CanonicalEvent, FinishReason, RenderContext, StreamEncoder } from "../canonical";
import type { Usage } from "../types";
import { geminiStreamErrorEvent } from "./errors";
import { functionCallPart, toGeminiFinish, toGeminiUsage } from "./wire";

type Part = Record<string, unknown>;

type Block =
  | { kind: "thinking"; gemini: boolean; sentText: boolean; signature?: string }
  | { kind: "tool_call"; id: string; name: string; signature?: string; args: string }
  | { kind: "other" };

class GeminiStreamEncoder implements StreamEncoder {
  readonly #ctx: RenderContext;
  #id: string;
  readonly #blocks = new Map<number, Block>();
  #usage: Usage | undefined;
  #finish: FinishReason | undefined;
  #closed = false;

  constructor(ctx: RenderContext) {
    this.#ctx = ctx;
    this.#id = ctx.id;
  }

  push(event: CanonicalEvent): string {
    if (this.#closed) return "";
    switch (event.type) {
      case "start":
        if (event.id) this.#id = event.id;
        if (event.usage) this.#usage = event.usage;
        return "";
      case "block_start":
        this.#blocks.set(event.index, this.#open(event));
        return "";
      case "text_delta":
        return event.text ? this.#chunk([{ text: event.text }]) : "";
      case "thinking_delta": {
        if (!event.text) return "";
        const block = this.#blocks.get(event.index);
        if (block?.kind === "thinking") block.sentText = true;
        return this.#chunk([{ text: event.text, thought: true }]);
      }
      case "thinking_signature": {
        const block = this.#blocks.get(event.index);
        if (block?.kind === "thinking" && block.gemini && event.signature) block.signature = event.signature;
        return "";
      }
      case "tool_args_delta": {
        const block = this.#blocks.get(event.index);
        if (block?.kind === "tool_call") block.args += event.json;
        return "";
      }
      case "block_stop":
        return this.#stop(event.index);
      case "usage":
        this.#usage = event.usage;
        return "";
      case "finish":
        this.#finish = event.reason;
        return "";
      case "error":
        return this.fail(event.error);
    }
  }

  end(): string {
    if (this.#closed || this.#finish === undefined) return "";
    this.#closed = true;
    // The last chunk carries finishReason and usage, held until now because usage may follow the finish.
    return this.#chunk([{ text: "" }], {
      finishReason: toGeminiFinish(this.#finish),
      usage: this.#usage,
    });
  }

  fail(err: GatewayError): string {
    if (this.#closed) return "";
    this.#closed = true;
    return geminiStreamErrorEvent(err);
  }

  #open(event: Extract<CanonicalEvent, { type: "block_start" }>): Block {
    const block = event.block;
    switch (block.kind) {
      case "thinking":
        return { kind: "thinking", gemini: block.origin === "gemini", sentText: false };
      case "tool_call":
        return { kind: "tool_call", id: block.id, name: block.name, signature: block.signature, args: "" };
      default:
        // Text goes out delta by delta; redacted thinking is Anthropic's alone.
        return { kind: "other" };
    }
  }

  #stop(index: number): string {
    const block = this.#blocks.get(index);
    this.#blocks.delete(index);
    if (block?.kind === "tool_call") {
      return this.#chunk([functionCallPart(block.id, block.name, block.args, block.signature)]);
    }
    if (block?.kind === "thinking" && block.signature) {
      // A thought's signature on a last empty thought part; a signature-only block (a signed text part
      // upstream) as the empty signed text part Gemini itself ends such answers with.
      const part: Part = block.sentText
        ? { text: "", thought: true, thoughtSignature: block.signature }
        : { text: "", thoughtSignature: block.signature };
      return this.#chunk([part]);
    }
    return "";
  }

  #chunk(parts: Part[], last?: { finishReason: string; usage: Usage | undefined }): string {
    const candidate: Record<string, unknown> = { content: { parts, role: "model" } };
    if (last) candidate.finishReason = last.finishReason;
    candidate.index = 0;
    const body: Record<string, unknown> = { candidates: [candidate] };
    if (last?.usage) body.usageMetadata = toGeminiUsage(last.usage);
    body.modelVersion = this.#ctx.model;
    body.responseId = this.#id;
    return `data: ${JSON.stringify(body)}\r\n\r\n`;
  }
}

/** A fresh encoder for one streamed answer to a Gemini client. */
export function createGeminiStreamEncoder(ctx: RenderContext): StreamEncoder {
  return new GeminiStreamEncoder(ctx);
}
