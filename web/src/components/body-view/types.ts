/**
 * What the body viewer shows, the same for all four protocols: a request as messages, tools and
 * parameters; a reply (whole or assembled from a stream) as content parts, finish reason and usage.
 */

/** The client protocol of a logged request (`request_logs.style`). */
export type Style = "openai" | "openai-responses" | "anthropic" | "gemini";

export type Part =
  | { type: "text"; text: string }
  | { type: "thinking"; text: string; redacted?: boolean }
  | { type: "tool_call"; id?: string; name: string; args: string }
  | { type: "tool_result"; id?: string; name?: string; text: string; error?: boolean }
  | { type: "image"; source: string }
  | { type: "other"; label: string; json: string };

export interface Message {
  role: string;
  parts: Part[];
}

export interface ToolDef {
  name: string;
  description?: string;
  /** The parameter schema, pretty-printed; absent for built-in tools. */
  schema?: string;
  /** A built-in tool's type (`web_search`, `googleSearch` …); absent for functions. */
  builtin?: string;
}

export interface RequestView {
  model?: string;
  system: string[];
  messages: Message[];
  tools: ToolDef[];
  /** Every other top-level field (sampling, limits, tool choice …), in body order. */
  params: [string, unknown][];
  stream: boolean;
}

export interface ReplyView {
  model?: string;
  stream: boolean;
  /** Events (or chunks) read from a stream; 0 for a whole body. */
  events: number;
  parts: Part[];
  finishReason?: string;
  /** The protocol's own usage fields, flattened (`prompt_tokens_details.cached_tokens`). */
  usage: [string, number][];
  error?: string;
}

/** A body as the viewer reads it: structured when it could, raw otherwise. */
export type BodyView =
  | { kind: "request"; view: RequestView }
  | { kind: "reply"; view: ReplyView }
  | { kind: "raw" };
