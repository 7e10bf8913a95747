/**
 * Canonical stream events as a Responses SSE stream, in the order the real API sends them:
 * response.created, response.in_progress, then per output item `output_item.added`, its parts and deltas,
 * the `…done` events in reverse nesting, `output_item.done`; finally response.completed (or .incomplete /
 * .failed) with the whole Response, held until end() because usage may follow the finish.
 *
 * Output items cannot interleave, but tool calls from OpenAI-chat upstreams can: a block that starts while
 * another is still open is buffered and replayed when the earlier ones are done.
 */
import type { GatewayError } from "../../core/errors";
import type {
  BlockStart,
  CanonicalEvent,
  FinishReason,
  RenderContext,
  StreamEncoder,
  ThinkingPart,
} from "../canonical";
import type { Usage } from "../types";
import {
  customToolCallItem,
  functionCallItem,
  messageItem,
  type OutputItem,
  outputTextPart,
} from "./encode-response";
import { openAIErrorCode } from "../openai-chat/errors";
import { openAIResponsesStreamErrorEvent } from "./errors";
import {
  itemId,
  openingCarrier,
  reasoningItemForClient,
  responseIdFor,
  responseShell,
  statusOfFinish,
  toOpenAIResponsesUsage,
} from "./shared";

interface Block {
  start: BlockStart;
  /** Events held while an earlier item is still streaming. */
  pending: CanonicalEvent[];
  active: boolean;
  outputIndex: number;
  itemId: string;
  /** Text, thinking summary or arguments so far. */
  text: string;
  summaryOpen: boolean;
  /** A call of a custom tool: its input (unwrapped from the arguments) goes out when the call is done. */
  custom: boolean;
  signature?: string;
  encrypted?: string;
}

class OpenAIResponsesStreamEncoder implements StreamEncoder {
  readonly #ctx: RenderContext;
  #seq = 0;
  #id: string;
  #started = false;
  /** Blocks not yet done, in the order they started; the first is the one streaming. */
  readonly #queue: Block[] = [];
  readonly #blocks = new Map<number, Block>();
  readonly #output: OutputItem[] = [];
  #usage: Usage | undefined;
  #finish: FinishReason | undefined;
  #closed = false;

  constructor(ctx: RenderContext) {
    this.#ctx = ctx;
    this.#id = responseIdFor(undefined, ctx.id);
  }

  push(event: CanonicalEvent): string {
    if (this.#closed) return "";
    if (event.type === "error") return this.fail(event.error);
    let out = event.type === "start" ? this.#start(event.id) : this.#start(undefined);
    switch (event.type) {
      case "start":
        if (event.usage) this.#usage = event.usage;
        break;
      case "usage":
        this.#usage = event.usage;
        break;
      case "finish":
        this.#finish = event.reason;
        break;
      case "block_start": {
        const block: Block = {
          start: event.block,
          pending: [],
          active: false,
          outputIndex: -1,
          itemId: "",
          text: "",
          summaryOpen: false,
          custom:
            event.block.kind === "tool_call" && this.#ctx.customTools?.includes(event.block.name) === true,
        };
        this.#blocks.set(event.index, block);
        this.#queue.push(block);
        if (this.#queue.length === 1) out += this.#activate(block);
        break;
      }
      default: {
        const block = this.#blocks.get(event.index);
        if (!block) break;
        if (!block.active) block.pending.push(event);
        else out += this.#apply(block, event);
      }
    }
    return out;
  }

  end(): string {
    if (this.#closed || this.#finish === undefined) return "";
    let out = this.#start(undefined);
    // Blocks the upstream never closed are closed in order, so every item the client saw is done.
    while (this.#queue.length > 0) {
      const block = this.#queue[0] as Block;
      if (!block.active) out += this.#activate(block);
      if (this.#queue[0] === block) out += this.#done(block);
    }
    const { status, incomplete_details } = statusOfFinish(this.#finish);
    const response = {
      ...this.#shell(),
      status,
      incomplete_details,
      ...(status === "failed"
        ? { error: { code: "server_error", message: "the upstream answer ended with an error" } }
        : {}),
      output: this.#output,
      usage: this.#usage ? toOpenAIResponsesUsage(this.#usage) : null,
    };
    this.#closed = true;
    return out + this.#event(`response.${status}`, { response });
  }

  /**
   * The `error` event (what the pass-through path sends, and what the openai SDK raises), then
   * response.failed with the error, which Codex reads (it skips `error` events) to show why.
   */
  fail(err: GatewayError): string {
    if (this.#closed) return "";
    this.#closed = true;
    const error = openAIResponsesStreamErrorEvent(err, this.#seq++);
    const response = {
      ...this.#shell(),
      status: "failed",
      error: { code: openAIErrorCode(err), message: err.message },
      output: this.#output.filter((item) => item.type !== "pending"),
      usage: this.#usage ? toOpenAIResponsesUsage(this.#usage) : null,
    };
    return error + this.#event("response.failed", { response });
  }

  #shell() {
    return responseShell(this.#id, this.#ctx.model, this.#ctx.created);
  }

  #event(type: string, fields: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.#seq++, ...fields })}\n\n`;
  }

  #start(upstreamId: string | undefined): string {
    if (this.#started) return "";
    this.#started = true;
    this.#id = responseIdFor(upstreamId, this.#ctx.id);
    const response = { ...this.#shell(), status: "in_progress", output: [], usage: null };
    return this.#event("response.created", { response }) + this.#event("response.in_progress", { response });
  }

  /** Opens the block's output item and replays what was held for it. */
  #activate(block: Block): string {
    block.active = true;
    block.outputIndex = this.#output.length;
    const start = block.start;
    const index = { output_index: block.outputIndex };
    let out: string;
    if (start.kind === "text") {
      block.itemId = itemId("msg", this.#id, block.outputIndex);
      const item = messageItem(block.itemId, [], "in_progress");
      out =
        this.#event("response.output_item.added", { ...index, item }) +
        this.#event("response.content_part.added", {
          item_id: block.itemId,
          ...index,
          content_index: 0,
          part: outputTextPart(""),
        });
    } else if (start.kind === "tool_call") {
      block.itemId = itemId(block.custom ? "ctc" : "fc", this.#id, block.outputIndex);
      const item = block.custom
        ? customToolCallItem(block.itemId, start, "", "in_progress")
        : functionCallItem(block.itemId, start, "", "in_progress");
      out = this.#event("response.output_item.added", { ...index, item });
    } else {
      const own = start.kind === "thinking" && start.origin === "openai-responses" && start.id;
      block.itemId = own || itemId("rs", this.#id, block.outputIndex);
      const carrier = openingCarrier(start);
      out = this.#event("response.output_item.added", {
        ...index,
        item: {
          id: block.itemId,
          type: "reasoning",
          summary: [],
          ...(carrier ? { encrypted_content: carrier } : {}),
        },
      });
    }
    this.#output.push({ type: "pending" });
    const pending = block.pending;
    block.pending = [];
    for (const event of pending) out += this.#apply(block, event);
    return out;
  }

  #apply(block: Block, event: CanonicalEvent): string {
    const ids = { item_id: block.itemId, output_index: block.outputIndex };
    switch (event.type) {
      case "text_delta":
        if (block.start.kind !== "text" || event.text === "") return "";
        block.text += event.text;
        return this.#event("response.output_text.delta", {
          ...ids,
          content_index: 0,
          delta: event.text,
          logprobs: [],
        });
      case "thinking_delta": {
        if (block.start.kind !== "thinking" || event.text === "") return "";
        let out = "";
        if (!block.summaryOpen) {
          block.summaryOpen = true;
          out = this.#event("response.reasoning_summary_part.added", {
            ...ids,
            summary_index: 0,
            part: { type: "summary_text", text: "" },
          });
        }
        block.text += event.text;
        return (
          out +
          this.#event("response.reasoning_summary_text.delta", {
            ...ids,
            summary_index: 0,
            delta: event.text,
          })
        );
      }
      case "thinking_signature":
        if (event.signature) block.signature = event.signature;
        if (event.encrypted) block.encrypted = event.encrypted;
        return "";
      case "tool_args_delta":
        if (block.start.kind !== "tool_call" || event.json === "") return "";
        block.text += event.json;
        // The arguments wrap the input as JSON text: it is known whole only when the call is done.
        if (block.custom) return "";
        return this.#event("response.function_call_arguments.delta", { ...ids, delta: event.json });
      case "block_stop":
        return this.#done(block) + this.#next();
      default:
        return "";
    }
  }

  /** After a block is done, the next one in line starts streaming (and may finish from its backlog). */
  #next(): string {
    const next = this.#queue[0];
    return next && !next.active ? this.#activate(next) : "";
  }

  /** The `…done` events of the block's item, innermost first. */
  #done(block: Block): string {
    if (this.#queue[0] !== block) return "";
    this.#queue.shift();
    const start = block.start;
    const ids = { item_id: block.itemId, output_index: block.outputIndex };
    let out = "";
    let item: OutputItem;
    if (start.kind === "text") {
      item = messageItem(block.itemId, [block.text], "completed");
      out +=
        this.#event("response.output_text.done", {
          ...ids,
          content_index: 0,
          text: block.text,
          logprobs: [],
        }) +
        this.#event("response.content_part.done", {
          ...ids,
          content_index: 0,
          part: outputTextPart(block.text),
        });
    } else if (start.kind === "tool_call" && block.custom) {
      item = customToolCallItem(block.itemId, start, block.text, "completed");
      const input = item.input as string;
      if (input !== "") out += this.#event("response.custom_tool_call_input.delta", { ...ids, delta: input });
      out += this.#event("response.custom_tool_call_input.done", { ...ids, input });
    } else if (start.kind === "tool_call") {
      item = functionCallItem(block.itemId, start, block.text, "completed");
      out += this.#event("response.function_call_arguments.done", {
        ...ids,
        name: start.name,
        arguments: block.text,
      });
    } else {
      if (block.summaryOpen) {
        const part = { type: "summary_text", text: block.text };
        out +=
          this.#event("response.reasoning_summary_text.done", {
            ...ids,
            summary_index: 0,
            text: block.text,
          }) + this.#event("response.reasoning_summary_part.done", { ...ids, summary_index: 0, part });
      }
      const thinking: ThinkingPart = {
        type: "thinking",
        text: block.text,
        ...(start.kind === "thinking" && start.origin ? { origin: start.origin } : {}),
        ...(block.signature ? { signature: block.signature } : {}),
        ...(block.encrypted ? { encrypted: block.encrypted } : {}),
      };
      item =
        start.kind === "redacted_thinking"
          ? reasoningItemForClient({ type: "redacted_thinking", data: start.data }, block.itemId)
          : reasoningItemForClient(thinking, block.itemId);
      item.id = block.itemId;
    }
    this.#output[block.outputIndex] = item;
    return out + this.#event("response.output_item.done", { output_index: block.outputIndex, item });
  }
}

/** A fresh encoder for one Responses client stream. */
export function createOpenAIResponsesStreamEncoder(ctx: RenderContext): StreamEncoder {
  return new OpenAIResponsesStreamEncoder(ctx);
}
