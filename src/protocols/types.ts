import type { GatewayError } from "../core/errors";

/** The wire protocols, each both what a client speaks ("style") and an upstream provider type. */
export const STYLES = ["openai", "openai-responses", "anthropic", "gemini"] as const;
export type Style = (typeof STYLES)[number];

/** What a request needs from a link, read from its body. */
export interface Needs {
  tools: boolean;
  /** A JSON schema or JSON mode was asked for (not any response_format). */
  structuredOutput: boolean;
  image: boolean;
}

/** What the gateway reads from a client request before routing it. */
export interface Sniffed {
  model: string;
  stream: boolean;
  needs: Needs;
  sessionId?: string;
  /**
   * The most output tokens the request allows (max_tokens or its protocol's name for it); undefined when the
   * client set no limit, 0 for an endpoint that generates none (embeddings). Used to reserve spend.
   */
  maxOutputTokens?: number;
  /** OpenAI chat only: the client itself asked for stream usage (stream_options.include_usage). */
  clientWantsStreamUsage?: boolean;
}

/** Where the request came from, for protocols that carry model or stream in the URL or headers. */
export interface SniffContext {
  /** Gemini: the model from `/v1beta/models/{model}:…`. */
  urlModel?: string;
  /** Gemini: true for `:streamGenerateContent`. */
  urlStream?: boolean;
  headers: Headers;
}

/**
 * Usage normalised once. `input` excludes cached tokens; `output` includes `reasoning`.
 * total = input + cachedRead + cacheWrite + output.
 */
export interface Usage {
  input: number;
  cachedRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

/** What a response told us, stream or not. */
export interface ResponseFacts {
  usage?: Usage;
  finishReason?: string;
  /** An error the upstream reported inside a 200 (an SSE error event, or an error body). */
  error?: string;
}

/**
 * Per-request tap on an upstream SSE byte stream of this protocol. It sees every chunk in order and
 * returns the bytes to forward to the client: normally the very same chunk (zero copy); a filtered
 * copy only when `hideUsageChunk` was asked for.
 */
export interface StreamTap {
  push(chunk: Uint8Array): Uint8Array | undefined;
  /** The upstream ended: returns any held-back bytes to forward. */
  end(): Uint8Array | undefined;
  facts(): ResponseFacts;
}

export interface UpstreamBodyOptions {
  /** The provider's model name. */
  model: string;
  stream: boolean;
  /** Merged into the top level of the body (link's extra_body). */
  extraBody: Record<string, unknown>;
}

/** Everything the gateway knows about one wire protocol. Implementations are plain objects. */
export interface ProtocolCodec {
  readonly style: Style;
  /** Reads model, stream, needs and session from a parsed body; throws GatewayError(400) when malformed. */
  sniff(body: Record<string, unknown>, ctx: SniffContext): Sniffed;
  /**
   * The body to send upstream for the same protocol: `model` replaced, extra_body merged, and for OpenAI
   * chat streams `stream_options.include_usage` forced on. Returns the same object when nothing changes.
   */
  toUpstreamBody(body: Record<string, unknown>, opts: UpstreamBodyOptions): Record<string, unknown>;
  /** Reads usage and finish reason from a whole (non-stream) response body. */
  parseResponse(body: unknown): ResponseFacts;
  /** A fresh tap for one streamed response. `hideUsageChunk`: drop OpenAI's usage-only chunk. */
  createStreamTap(opts?: { hideUsageChunk?: boolean }): StreamTap;
  /** The protocol's error body for a gateway error. */
  errorBody(err: GatewayError): unknown;
  /** One SSE event (complete, with its trailing blank line) that ends a stream with this error. */
  streamErrorEvent(err: GatewayError): string;
  /** The model list in this protocol's shape; `created` is Unix milliseconds, as storage keeps it. */
  modelList(models: readonly { id: string; created: number }[]): unknown;
  /**
   * The stream framing a client asked for instead of SSE (Gemini's JSON array without `alt=sse`), from its
   * request URL; undefined (or no method) when it reads SSE.
   */
  streamFraming?(requestUrl: string): Reframer | undefined;
  /** How a request of this protocol has its input tokens counted (Anthropic's count_tokens); absent: no such call. */
  readonly tokenCounter?: TokenCounter;
}

/** A protocol's token-count call: forwarded to a link of the same protocol, or estimated locally. */
export interface TokenCounter {
  /** The body of the upstream count call: the client's count request, with the link's model. */
  toUpstreamBody(body: Record<string, unknown>, model: string): Record<string, unknown>;
  /** The input-token count in the upstream's answer; undefined when the answer carries none. */
  readCount(body: unknown): number | undefined;
  /** A local estimate, for when no link counts. */
  estimate(body: Record<string, unknown>): number;
}

/** Re-frames the SSE bytes a client gets into another stream framing. */
export interface Reframer {
  /** The Content-Type of the re-framed stream. */
  readonly contentType: string;
  push(chunk: Uint8Array): Uint8Array | undefined;
  end(): Uint8Array;
}
