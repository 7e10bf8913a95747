/**
 * The canonical form every protocol translates to and from (DESIGN §4): N codecs, not N² translators.
 * Same protocol on both sides never comes here (the body passes through); a request whose client and
 * upstream protocols differ is decoded by the client protocol's inbound side into a CanonicalRequest and
 * encoded by the upstream protocol's outbound side, and the answer travels back the same way.
 */
import type { GatewayError } from "../core/errors";
import type { Style, Usage } from "./types";

// ─── content ────────────────────────────────────────────────────────────────────────────────────────

/** Where an image or document's bytes are. */
export type MediaSource =
  | { kind: "url"; url: string; mediaType?: string }
  | { kind: "base64"; mediaType: string; data: string };

export interface TextPart {
  type: "text";
  text: string;
}

export interface ImagePart {
  type: "image";
  source: MediaSource;
  /** OpenAI's `detail` hint; dropped by protocols without it. */
  detail?: string;
}

/** A file the model reads (PDF and the like). */
export interface DocumentPart {
  type: "document";
  source: MediaSource;
  title?: string;
}

/** A call the model made. `arguments` is JSON text exactly as the model produced it. */
export interface ToolCallPart {
  type: "tool_call";
  id: string;
  name: string;
  arguments: string;
  /** Gemini's `thoughtSignature` on a functionCall part, sent back on the next turn. */
  signature?: string;
}

/** The result of a tool call, linked by id (and by name, for Gemini, which matches results by name). */
export interface ToolResultPart {
  type: "tool_result";
  toolCallId: string;
  name?: string;
  content: (TextPart | ImagePart)[];
  isError?: boolean;
}

/**
 * Model reasoning. Visible only as reasoning, never as answer text. `signature` (Anthropic thinking,
 * Gemini thoughtSignature) and `encrypted` (Responses encrypted_content) are opaque and only mean
 * something to the protocol named in `origin`; other protocols drop them.
 */
export interface ThinkingPart {
  type: "thinking";
  text: string;
  signature?: string;
  encrypted?: string;
  /** Responses reasoning item id. */
  id?: string;
  origin?: Style;
}

/** Anthropic's redacted_thinking: opaque data only Anthropic can read. */
export interface RedactedThinkingPart {
  type: "redacted_thinking";
  data: string;
}

export type ContentPart =
  | TextPart
  | ImagePart
  | DocumentPart
  | ToolCallPart
  | ToolResultPart
  | ThinkingPart
  | RedactedThinkingPart;

/**
 * One conversation turn. Tool results travel in `user` turns (as Anthropic and Gemini carry them); the
 * OpenAI encoders split them out into `tool` messages / function_call_output items.
 */
export interface CanonicalMessage {
  role: "user" | "assistant";
  content: ContentPart[];
}

// ─── tools and output ───────────────────────────────────────────────────────────────────────────────

export interface CanonicalTool {
  name: string;
  description?: string;
  /** JSON schema of the arguments (an object schema). */
  parameters: Record<string, unknown>;
  strict?: boolean;
  /**
   * "custom": a freeform tool (Responses `custom`, such as Codex's apply_patch) whose input is plain text.
   * Its `parameters` are CUSTOM_TOOL_PARAMETERS and its calls' arguments are `{"input": text}`, so protocols
   * without freeform tools carry it as a function taking one string (custom-tool.ts); a Responses client
   * gets its calls back as custom_tool_call items.
   */
  kind?: "custom";
  /** A custom tool's input grammar, told to models of other protocols in the tool's description. */
  grammar?: { syntax: string; definition: string };
}

export type ToolChoice =
  | { type: "auto" }
  | { type: "none" }
  | { type: "required" }
  | { type: "tool"; name: string };

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | {
      type: "json_schema";
      name: string;
      schema: Record<string, unknown>;
      description?: string;
      strict?: boolean;
    };

/** Reasoning asked for: an effort (OpenAI), a token budget (Anthropic, Gemini), or switched off. */
export interface ReasoningConfig {
  enabled: boolean;
  effort?: "minimal" | "low" | "medium" | "high";
  budgetTokens?: number;
  /** Ask for reasoning summaries/thought text back where the protocol makes that optional. */
  includeThoughts?: boolean;
}

/**
 * Something a request uses that only some protocols can carry. A link whose protocol cannot carry every
 * feature the request uses is skipped (never a silent drop of something that changes the answer).
 */
export type Feature =
  | "n" // several choices (OpenAI n > 1, Gemini candidateCount > 1)
  | "logprobs"
  | "audio"
  | "server_state" // state stored at OpenAI: previous_response_id, conversation, stored prompts, item references, file ids
  | "cached_content" // a Gemini context cache (cachedContent), readable only by Gemini
  | "image_output" // images generated as part of the answer (Gemini responseModalities IMAGE, chat modalities image)
  | "server_tools" // hosted tools: web search, file search, code interpreter, computer use…
  | "background"; // Responses background mode

export interface CanonicalRequest {
  model: string;
  stream: boolean;
  /** System and developer instructions, in order (mid-conversation ones included). */
  system: string[];
  messages: CanonicalMessage[];
  tools?: CanonicalTool[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  /** End-user id (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  metadata?: Record<string, string>;
  reasoning?: ReasoningConfig;
  /** Features the request uses that need a protocol able to carry them (see `Feature`). */
  features: Feature[];
}

// ─── answers ────────────────────────────────────────────────────────────────────────────────────────

export type FinishReason = "stop" | "length" | "tool_use" | "content_filter" | "stop_sequence" | "error";

export interface CanonicalResponse {
  id: string;
  model: string;
  /** The answer: text, thinking, redacted thinking and tool calls, in order. */
  content: ContentPart[];
  finish: FinishReason;
  /** The stop sequence that ended the answer, when `finish` is "stop_sequence". */
  stopSequence?: string;
  usage?: Usage;
  /** Unix seconds. */
  created?: number;
}

/**
 * One event of an answer being streamed, block-structured (the richest of the four shapes): every piece
 * of content is a block with an index, opened, filled by deltas, and closed. Blocks never interleave
 * except tool calls, which OpenAI-style upstreams may stream in parallel: their deltas name their block.
 */
export type CanonicalEvent =
  | { type: "start"; id: string; model: string; usage?: Usage }
  | { type: "block_start"; index: number; block: BlockStart }
  | { type: "text_delta"; index: number; text: string }
  | { type: "thinking_delta"; index: number; text: string }
  /** The signature (or encrypted content) of a thinking block, sent before its block_stop. */
  | { type: "thinking_signature"; index: number; signature?: string; encrypted?: string }
  | { type: "tool_args_delta"; index: number; json: string }
  | { type: "block_stop"; index: number }
  /** Usage so far (cumulative, replaces any earlier one). */
  | { type: "usage"; usage: Usage }
  | { type: "finish"; reason: FinishReason; stopSequence?: string }
  /** The upstream reported an error inside the stream. */
  | { type: "error"; error: GatewayError };

export type BlockStart =
  | { kind: "text" }
  | { kind: "thinking"; id?: string; origin?: Style }
  | { kind: "redacted_thinking"; data: string }
  | { kind: "tool_call"; id: string; name: string; signature?: string };

// ─── the two sides of a codec ────────────────────────────────────────────────────────────────────────

/** What the client side needs to render an answer. */
export interface RenderContext {
  /** The model name the client asked for (shown back to it, never the provider's). */
  model: string;
  /** Response id to use when the upstream gave none worth showing (e.g. `chatcmpl-…`). */
  id: string;
  /** Unix seconds. */
  created: number;
  /** OpenAI chat: the client asked for stream usage (`stream_options.include_usage`). */
  includeUsage?: boolean;
  /** Gemini: the client did not ask for SSE (`alt=sse`) and gets a JSON array. */
  jsonArray?: boolean;
  /** Names of the request's custom (freeform) tools, whose calls a Responses client gets as custom_tool_call. */
  customTools?: readonly string[];
}

/** A stateful, incremental encoder of canonical events into the client's stream bytes. */
export interface StreamEncoder {
  /** SSE text for one event ("" when nothing goes out yet). */
  push(event: CanonicalEvent): string;
  /** The upstream ended cleanly: whatever closes the stream (`[DONE]`, `message_stop`…). */
  end(): string;
  /** The stream failed: the protocol's error event (never a fake completion). */
  fail(err: GatewayError): string;
}

/** A stateful, incremental decoder of upstream stream bytes into canonical events. */
export interface StreamDecoder {
  push(chunk: Uint8Array): CanonicalEvent[];
  /** The upstream closed: events still held back (e.g. a finish that waits for usage). */
  end(): CanonicalEvent[];
}

/** The client-facing side of a protocol: what clients send and what they must get back. */
export interface InboundCodec {
  readonly style: Style;
  /** The client's body as a canonical request; throws GatewayError(400) naming the field when malformed. */
  decodeRequest(body: Record<string, unknown>, ctx: { model: string; stream: boolean }): CanonicalRequest;
  /** A whole answer in the client's shape. */
  encodeResponse(res: CanonicalResponse, ctx: RenderContext): unknown;
  createStreamEncoder(ctx: RenderContext): StreamEncoder;
}

/** The upstream side of a protocol: how to ask a provider of this type, and read its answers. */
export interface OutboundCodec {
  readonly style: Style;
  /** Features of `Feature` this protocol can carry. */
  readonly features: ReadonlySet<Feature>;
  /**
   * The upstream body for a canonical request. `model` is the provider's model name; `extraBody` is merged
   * at the top level last. Throws GatewayError(400) when the request asks what this protocol cannot express.
   */
  encodeRequest(
    req: CanonicalRequest,
    opts: { model: string; stream: boolean; extraBody: Record<string, unknown> },
  ): Record<string, unknown>;
  /** A whole upstream answer; throws GatewayError(502, "bad_response") when it is not one. */
  decodeResponse(body: unknown): CanonicalResponse;
  createStreamDecoder(): StreamDecoder;
}
