/**
 * Pieces both sides of the Responses codec use: media as data URLs, reasoning items ↔ thinking parts,
 * the usage shape, finish reasons and the ids shown to clients.
 */
import type {
  BlockStart,
  FinishReason,
  MediaSource,
  RedactedThinkingPart,
  ReasoningConfig,
  ThinkingPart,
} from "../canonical";
import { isObject } from "../json";
import type { Style, Usage } from "../types";

/** `data:<type>;base64,<data>` → a base64 source; anything else is a URL. */
export function mediaFromUrl(url: string): MediaSource {
  const match = /^data:([^;,]+)(?:;[^,;]*)*;base64,/i.exec(url);
  if (match) return { kind: "base64", mediaType: match[1] as string, data: url.slice(match[0].length) };
  return { kind: "url", url };
}

/** The URL form of a source: the URL itself, or a data URL for base64 bytes. */
export function urlOfMedia(source: MediaSource): string {
  return source.kind === "url" ? source.url : `data:${source.mediaType};base64,${source.data}`;
}

// ─── reasoning items ────────────────────────────────────────────────────────────────────────────────

/**
 * Reasoning that came from another protocol (an Anthropic thinking signature, redacted thinking, a
 * Gemini thought signature) has no slot in a Responses reasoning item but must come back on the next
 * turn (Anthropic rejects a tool loop without its signed thinking). It travels in `encrypted_content`,
 * which Responses clients (Codex) echo back verbatim: `llmio1.<base64url of JSON>`. Real OpenAI
 * encrypted content never starts with this prefix.
 */
const CARRIER = "llmio1.";

export interface Carried {
  /** Origin protocol. */
  o: Style;
  /** Signature. */
  s?: string;
  /** Anthropic redacted_thinking data. */
  r?: string;
}

function packCarrier(carried: Carried): string {
  return `${CARRIER}${Buffer.from(JSON.stringify(carried), "utf8").toString("base64url")}`;
}

/** What a carrier `encrypted_content` holds; undefined for OpenAI's own encrypted content. */
export function unpackCarrier(encrypted: unknown): Carried | undefined {
  if (typeof encrypted !== "string" || !encrypted.startsWith(CARRIER)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(encrypted.slice(CARRIER.length), "base64url").toString());
    if (isObject(value) && typeof value.o === "string") return value as unknown as Carried;
  } catch {}
  return undefined;
}

/**
 * The `encrypted_content` a streamed reasoning item shows when it opens: the origin (and redacted data)
 * of another protocol's thinking, known before its signature; nothing for OpenAI's own.
 */
export function openingCarrier(start: BlockStart): string | undefined {
  if (start.kind === "redacted_thinking") return packCarrier({ o: "anthropic", r: start.data });
  if (start.kind !== "thinking" || start.origin === undefined || start.origin === "openai-responses") return;
  return packCarrier({ o: start.origin });
}

/** The `encrypted_content` a client gets for a thinking part: OpenAI's own, or a carrier for others'. */
export function encryptedForClient(part: ThinkingPart | RedactedThinkingPart): string | undefined {
  if (part.type === "redacted_thinking") return packCarrier({ o: "anthropic", r: part.data });
  if (part.origin === "openai-responses" || part.origin === undefined) return part.encrypted;
  // The origin travels even without a signature: DeepSeek-style chat upstreams want their reasoning back.
  return packCarrier({ o: part.origin, ...(part.signature ? { s: part.signature } : {}) });
}

/** The summary text of a reasoning item: its summary parts joined, else its raw reasoning content. */
function reasoningText(item: Record<string, unknown>): string {
  const texts = (list: unknown) =>
    Array.isArray(list)
      ? list.flatMap((p) => (isObject(p) && typeof p.text === "string" && p.text !== "" ? [p.text] : []))
      : [];
  const summary = texts(item.summary);
  return (summary.length > 0 ? summary : texts(item.content)).join("\n\n");
}

/** A reasoning item (request input or answer output) as the canonical part it stands for. */
export function partOfReasoningItem(item: Record<string, unknown>): ThinkingPart | RedactedThinkingPart {
  const text = reasoningText(item);
  const encrypted = typeof item.encrypted_content === "string" ? item.encrypted_content : undefined;
  const carried = encrypted === undefined ? undefined : unpackCarrier(encrypted);
  if (carried?.r !== undefined) return { type: "redacted_thinking", data: carried.r };
  if (carried) {
    return { type: "thinking", text, origin: carried.o, ...(carried.s ? { signature: carried.s } : {}) };
  }
  const part: ThinkingPart = { type: "thinking", text, origin: "openai-responses" };
  if (encrypted) part.encrypted = encrypted;
  if (typeof item.id === "string" && item.id !== "") part.id = item.id;
  return part;
}

/** A thinking part as a reasoning item for a client (`id` is used when the part has none). */
export function reasoningItemForClient(part: ThinkingPart | RedactedThinkingPart, id: string) {
  const text = part.type === "thinking" ? part.text : "";
  const encrypted = encryptedForClient(part);
  return {
    id: (part.type === "thinking" && part.origin === "openai-responses" && part.id) || id,
    type: "reasoning" as const,
    summary: text === "" ? [] : [{ type: "summary_text" as const, text }],
    ...(encrypted ? { encrypted_content: encrypted } : {}),
  };
}

// ─── reasoning config ───────────────────────────────────────────────────────────────────────────────

/** A thinking budget as an effort: ≤2048 low, ≤8192 medium, else high. */
export function effortOfBudget(budget: number): "low" | "medium" | "high" {
  if (budget <= 2048) return "low";
  if (budget <= 8192) return "medium";
  return "high";
}

/** The effort to ask a Responses upstream for, undefined for the model's default. */
export function effortOf(reasoning: ReasoningConfig): string | undefined {
  if (reasoning.effort) return reasoning.effort;
  if (reasoning.budgetTokens !== undefined) return effortOfBudget(reasoning.budgetTokens);
  return undefined;
}

// ─── usage, finish, ids ─────────────────────────────────────────────────────────────────────────────

/** Canonical usage in the Responses shape: input counts cached reads and writes, output counts reasoning. */
export function toOpenAIResponsesUsage(usage: Usage) {
  const input = usage.input + usage.cachedRead + usage.cacheWrite;
  return {
    input_tokens: input,
    input_tokens_details: {
      cached_tokens: usage.cachedRead,
      ...(usage.cacheWrite > 0 ? { cache_write_tokens: usage.cacheWrite } : {}),
    },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: usage.reasoning },
    total_tokens: input + usage.output,
  };
}

/** The status a client sees for a finish reason, with incomplete_details where Responses has one. */
export function statusOfFinish(finish: FinishReason): {
  status: "completed" | "incomplete" | "failed";
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
} {
  if (finish === "length")
    return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (finish === "content_filter")
    return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  if (finish === "error") return { status: "failed", incomplete_details: null };
  return { status: "completed", incomplete_details: null };
}

/** The finish reason of a Responses status; `toolCalls` tells a completed tool turn from a plain stop. */
export function finishOfStatus(status: unknown, reason: unknown, toolCalls: boolean): FinishReason {
  if (status === "incomplete") return reason === "content_filter" ? "content_filter" : "length";
  return toolCalls ? "tool_use" : "stop";
}

/** A `resp_…` id for the client: the upstream's when it is one, else built from the gateway's id. */
export function responseIdFor(upstreamId: string | undefined, fallback: string): string {
  if (upstreamId?.startsWith("resp_")) return upstreamId;
  if (fallback.startsWith("resp_")) return fallback;
  return `resp_${fallback.replace(/[^A-Za-z0-9]/g, "")}`;
}

/** Item ids derived from the response id (`msg_…`, `fc_…`, `ctc_…`, `rs_…`), unique per output index. */
export function itemId(prefix: "msg" | "fc" | "ctc" | "rs", responseId: string, outputIndex: number): string {
  return `${prefix}_${responseId.slice("resp_".length)}_${outputIndex}`;
}

/**
 * The Response object fields a client's SDK expects beside id/status/output/usage. The gateway does not
 * echo the request's settings (instructions, tools, sampling): they are reported as their defaults.
 */
export function responseShell(id: string, model: string, created: number) {
  return {
    id,
    object: "response" as const,
    created_at: created,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: null,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: null,
    truncation: "disabled",
    metadata: {},
  };
}
