/**
 * Canonical events as a client's `chat.completion.chunk` stream (the inbound side). The first chunk carries
 * `delta.role`; text goes to `delta.content`, thinking to `delta.reasoning_content` (never content); each
 * tool call gets the next `tool_calls[].index` (0, 1, 2… in this answer, whatever its canonical block index),
 * its id and name once, first, then its argument pieces. The finish chunk goes out when the finish comes;
 * usage (which OpenAI-style upstreams send after the finish) waits for end(), where the usage-only chunk
 * (only when the client asked with `stream_options.include_usage`) precedes `data: [DONE]`.
 */
import type { GatewayError } from "../../core/errors";
import type { CanonicalEvent, RenderContext, StreamEncoder } from "../canonical";
import type { Usage } from "../types";
import { packToolCallId } from "../tool-id";
import { toOpenAIChatFinish, toOpenAIChatUsage } from "./convert";
import { openAIChatStreamErrorEvent } from "./errors";

class OpenAIChatStreamEncoder implements StreamEncoder {
  #id: string;
  #roleSent = false;
  #finished = false;
  #closed = false;
  #usage: Usage | undefined;
  /** Canonical block index → the client's tool_calls index. */
  readonly #toolIndex = new Map<number, number>();

  constructor(readonly ctx: RenderContext) {
    this.#id = ctx.id;
  }

  push(event: CanonicalEvent): string {
    if (this.#closed) return "";
    // After the finish only usage may still come (OpenAI-style upstreams send it last).
    if (this.#finished && event.type !== "usage" && event.type !== "error") return "";
    switch (event.type) {
      case "start":
        if (!this.#roleSent && event.id) this.#id = event.id;
        // Input usage known at the start (Anthropic) stands until a later usage replaces it.
        if (event.usage && !this.#usage) this.#usage = event.usage;
        return this.#role();
      case "block_start":
        if (event.block.kind !== "tool_call") return "";
        {
          const index = this.#toolIndex.size;
          this.#toolIndex.set(event.index, index);
          const { id, name, signature } = event.block;
          return this.#delta({
            tool_calls: [
              {
                index,
                id: packToolCallId(id, signature),
                type: "function",
                function: { name, arguments: "" },
              },
            ],
          });
        }
      case "text_delta":
        return event.text === "" ? "" : this.#textDelta("content", event.text);
      case "thinking_delta":
        return event.text === "" ? "" : this.#textDelta("reasoning_content", event.text);
      case "tool_args_delta": {
        const index = this.#toolIndex.get(event.index);
        if (index === undefined || event.json === "") return "";
        return this.#delta({ tool_calls: [{ index, function: { arguments: event.json } }] });
      }
      case "usage":
        this.#usage = event.usage;
        return "";
      case "finish":
        if (this.#finished) return "";
        this.#finished = true;
        return this.#role() + this.#chunk({}, toOpenAIChatFinish(event.reason));
      case "error":
        return this.fail(event.error);
      default:
        // block_stop, thinking_signature and redacted thinking have no place in a chat stream.
        return "";
    }
  }

  /** No finish seen: nothing more (the proxy ends a stream without a finish with fail()). */
  end(): string {
    if (this.#closed || !this.#finished) return "";
    this.#closed = true;
    let out = "";
    if (this.ctx.includeUsage && this.#usage) {
      out += this.#line({ ...this.#base(), choices: [], usage: toOpenAIChatUsage(this.#usage) });
    }
    return `${out}data: [DONE]\n\n`;
  }

  fail(err: GatewayError): string {
    if (this.#closed) return "";
    this.#closed = true;
    return openAIChatStreamErrorEvent(err);
  }

  /** The role chunk, once, before anything else. */
  #role(): string {
    if (this.#roleSent) return "";
    this.#roleSent = true;
    return this.#chunk({ role: "assistant", content: "" }, null);
  }

  #delta(delta: Record<string, unknown>): string {
    return this.#role() + this.#chunk(delta, null);
  }

  /** What every delta chunk starts with, up to the delta's first field; fixed once the role went out. */
  #prefix: string | undefined;

  /**
   * A text or reasoning delta from a template: the chunks a stream is made of, so only the text is
   * serialised (the same bytes `#chunk` writes).
   */
  #textDelta(field: "content" | "reasoning_content", text: string): string {
    const role = this.#role();
    this.#prefix ??= `data: ${JSON.stringify(this.#base()).slice(0, -1)},"choices":[{"index":0,"delta":{`;
    return `${role}${this.#prefix}"${field}":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}]}\n\n`;
  }

  #base() {
    return {
      id: this.#id,
      object: "chat.completion.chunk",
      created: this.ctx.created,
      model: this.ctx.model,
    };
  }

  #chunk(delta: Record<string, unknown>, finish: string | null): string {
    return this.#line({
      ...this.#base(),
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  }

  #line(json: unknown): string {
    return `data: ${JSON.stringify(json)}\n\n`;
  }
}

/** A fresh encoder for one client stream. */
export function createOpenAIChatStreamEncoder(ctx: RenderContext): StreamEncoder {
  return new OpenAIChatStreamEncoder(ctx);
}
