/**
 * The translation contract every codec keeps, run against all four protocols with one set of canonical
 * fixtures (Hono's common.case idea, for the canonical codecs of DESIGN §4):
 * - request round trip: outbound(P).encodeRequest → inbound(P).decodeRequest gives the request back;
 * - answer round trip: inbound(P).encodeResponse → outbound(P).decodeResponse gives the answer back;
 * - stream round trip: inbound(P)'s stream encoder → bytes (in several chunkings) → outbound(P)'s stream
 *   decoder gives the answer back, and fail() reads back as an error without a finish;
 * - usage keeps input, cache reads and writes, output and reasoning apart (never counted twice);
 * - cross pairs: every client protocol's request reaches every upstream protocol with its key facts.
 * "Gives back" means equal once the protocol's documented losses (the tables below, one line per loss
 * with its reason) are applied to both sides; nothing else may differ, and every loss listed must be
 * needed by at least one fixture, so the tables stay exact.
 */
import { describe, expect, it } from "bun:test";
import { GatewayError } from "../../src/core/errors";
import type {
  CanonicalEvent,
  CanonicalMessage,
  CanonicalRequest,
  CanonicalResponse,
  ContentPart,
  RenderContext,
  ThinkingPart,
} from "../../src/protocols/canonical";
import { TRANSLATION } from "../../src/protocols/registry";
import { packToolCallId } from "../../src/protocols/tool-id";
import type { Style, Usage } from "../../src/protocols/types";
import { bytes, randomSplits, splitAt } from "./helpers";
import { claudeCodeToolTurn, sdkRequest } from "./translate/fixtures/anthropic";
import { agentRequest, oldClientRequest } from "./translate/fixtures/gemini";
import { deepSeekHistoryRequest, toolLoopRequest } from "./translate/fixtures/openai-chat";
import { codexRequest, multimodalRequest } from "./translate/fixtures/openai-responses";
import { REQUESTS, RESPONSES, STREAMS, type StreamFixture, USAGE } from "./translate/fixtures/canonical";

const STYLES: Style[] = ["openai", "openai-responses", "anthropic", "gemini"];
const CTX: RenderContext = { model: "client-model", id: "gw_0123", created: 1700000000, includeUsage: true };

// ─── rewriting helpers for the loss tables ──────────────────────────────────────────────────────────

type Answer = Pick<CanonicalResponse, "content" | "finish" | "stopSequence" | "usage" | "created">;

const clone = <T>(value: T): T => structuredClone(value);

/** Every message's parts through `fn` (undefined drops a part, an array replaces it). */
function mapParts(
  req: CanonicalRequest,
  fn: (part: ContentPart, message: CanonicalMessage) => ContentPart | ContentPart[] | undefined,
): CanonicalRequest {
  const out = clone(req);
  for (const message of out.messages) {
    message.content = message.content.flatMap((part) => fn(part, message) ?? []);
  }
  out.messages = out.messages.filter((m) => m.content.length > 0);
  return out;
}

function mapAnswerParts(
  res: Answer,
  fn: (part: ContentPart) => ContentPart | ContentPart[] | undefined,
): Answer {
  const out = clone(res);
  out.content = out.content.flatMap((part) => fn(part) ?? []);
  return out;
}

function without<T extends object>(value: T, ...keys: string[]): T {
  const out = clone(value) as Record<string, unknown>;
  for (const key of keys) delete out[key];
  return out as T;
}

/** Consecutive messages of one role as one message. */
function mergeSameRole(req: CanonicalRequest): CanonicalRequest {
  const out = clone(req);
  const messages: CanonicalMessage[] = [];
  for (const message of out.messages) {
    const last = messages.at(-1);
    if (last?.role === message.role) last.content.push(...message.content);
    else messages.push(message);
  }
  out.messages = messages;
  return out;
}

/** Tool call ids renamed #0, #1… in order of appearance, results following their call. */
function renumberToolIds(req: CanonicalRequest): CanonicalRequest {
  const ids = new Map<string, string>();
  const idOf = (id: string) => {
    if (!ids.has(id)) ids.set(id, `#${ids.size}`);
    return ids.get(id) as string;
  };
  return mapParts(req, (part) => {
    if (part.type === "tool_call") return { ...part, id: idOf(part.id) };
    if (part.type === "tool_result") return { ...part, toolCallId: idOf(part.toolCallId) };
    return part;
  });
}

const joinSystem = (req: CanonicalRequest) =>
  req.system.length > 1 ? { ...clone(req), system: [req.system.join("\n\n")] } : req;

const dropThinkingUnless = (keep: (part: ThinkingPart) => boolean) => (req: CanonicalRequest) =>
  mapParts(req, (part) =>
    part.type === "redacted_thinking" || (part.type === "thinking" && !keep(part)) ? undefined : part,
  );

const dropToolCallSignatures = (req: CanonicalRequest) =>
  mapParts(req, (part) => (part.type === "tool_call" ? without(part, "signature") : part));

const dropResultErrors = (req: CanonicalRequest) =>
  mapParts(req, (part) => (part.type === "tool_result" ? without(part, "isError") : part));

const emptyResultsAsText = (req: CanonicalRequest) =>
  mapParts(req, (part) =>
    part.type === "tool_result" && part.content.length === 0
      ? { ...part, content: [{ type: "text", text: "" }] }
      : part,
  );

/** Images a tool returned, moved out of its result to right after the turn's results. */
function toolImagesAfterResults(req: CanonicalRequest): CanonicalRequest {
  const out = clone(req);
  for (const message of out.messages) {
    const results: ContentPart[] = [];
    const images: ContentPart[] = [];
    const rest: ContentPart[] = [];
    for (const part of message.content) {
      if (part.type !== "tool_result") {
        rest.push(part);
        continue;
      }
      images.push(...part.content.filter((c) => c.type === "image"));
      results.push({ ...part, content: part.content.filter((c) => c.type === "text") });
    }
    if (results.length > 0) message.content = [...results, ...images, ...rest];
  }
  return out;
}

const reasoningWithout =
  (...keys: string[]) =>
  (req: CanonicalRequest) =>
    req.reasoning ? { ...clone(req), reasoning: without(req.reasoning, ...keys) } : req;

/** A budget as the effort it maps to (≤2048 low, ≤8192 medium, else high). */
const budgetAsEffort = (req: CanonicalRequest): CanonicalRequest => {
  const r = req.reasoning;
  if (!r?.enabled || r.budgetTokens === undefined) return req;
  const effort = r.budgetTokens <= 2048 ? "low" : r.budgetTokens <= 8192 ? "medium" : "high";
  return { ...clone(req), reasoning: { ...without(r, "budgetTokens"), effort } };
};

const EFFORT_BUDGET = { minimal: 1024, low: 2048, medium: 8192, high: 24576 } as const;
const effortAsBudget = (req: CanonicalRequest): CanonicalRequest => {
  const r = req.reasoning;
  if (!r?.enabled || r.budgetTokens !== undefined || !r.effort) return req;
  return { ...clone(req), reasoning: { ...without(r, "effort"), budgetTokens: EFFORT_BUDGET[r.effort] } };
};

const schemaNamedResponse = (req: CanonicalRequest): CanonicalRequest => {
  const f = req.responseFormat;
  if (f?.type !== "json_schema") return req;
  return { ...clone(req), responseFormat: { type: "json_schema", name: "response", schema: f.schema } };
};

const thinkingAs = (origin: Style, keepSignature: boolean) => (part: ContentPart) =>
  part.type === "thinking"
    ? {
        type: "thinking" as const,
        text: part.text,
        origin,
        ...(keepSignature && part.origin === origin && part.signature ? { signature: part.signature } : {}),
      }
    : part;

const packSignatureInId = (part: ContentPart): ContentPart =>
  part.type === "tool_call" && part.signature
    ? {
        type: "tool_call",
        id: packToolCallId(part.id, part.signature),
        name: part.name,
        arguments: part.arguments,
      }
    : part;

// ─── the loss tables ────────────────────────────────────────────────────────────────────────────────

interface Loss<T> {
  what: string;
  why: string;
  apply: (value: T) => T;
}
const loss = <T>(what: string, why: string, apply: (value: T) => T): Loss<T> => ({ what, why, apply });

/** What a request loses going out to protocol P and read back by P's client side. */
const REQUEST_LOSSES: Record<Style, Loss<CanonicalRequest>[]> = {
  openai: [
    loss(
      "instructions join into one system message",
      "one system message first is what every OpenAI-compatible vendor accepts",
      joinSystem,
    ),
    loss(
      "tool results lose their error flag",
      "a tool message has no error field; its text says what failed",
      dropResultErrors,
    ),
    loss(
      "images a tool returned move to a user message right after the tool messages",
      "tool messages take text only",
      toolImagesAfterResults,
    ),
    loss(
      "an empty tool result reads back as one empty text",
      "a tool message always has content",
      emptyResultsAsText,
    ),
    loss(
      "reasoning keeps only its text, as reasoning_content of origin openai (signatures, encrypted content, ids and redacted thinking dropped)",
      "they are opaque to everyone but the protocol that made them",
      (req) => mapParts(dropThinkingUnless((p) => p.text !== "")(req), thinkingAs("openai", false)),
    ),
    loss(
      "tool calls lose Gemini thought signatures",
      "they mean nothing to an OpenAI-style upstream",
      dropToolCallSignatures,
    ),
    loss(
      "a thinking budget becomes reasoning_effort",
      "Chat Completions has efforts, not budgets",
      budgetAsEffort,
    ),
    loss(
      "includeThoughts is dropped",
      "Chat Completions has no switch for it",
      reasoningWithout("includeThoughts"),
    ),
    loss(
      "reasoning switched off is not sent",
      "reasoning_effort 'none' exists only on some models; left out, the model's default applies",
      (req) => (req.reasoning?.enabled === false ? without(req, "reasoning") : req),
    ),
    loss(
      "top_k and metadata are dropped",
      "no Chat Completions field (metadata needs store: true and never reaches the model)",
      (req) => without(req, "topK", "metadata"),
    ),
  ],
  "openai-responses": [
    loss(
      "instructions join into one `instructions` text",
      "Responses has one instructions field",
      joinSystem,
    ),
    loss(
      "consecutive messages of one role merge",
      "the client side merges items of one role into one turn",
      mergeSameRole,
    ),
    loss("tool results lose their error flag", "function_call_output has no error field", dropResultErrors),
    loss(
      "an empty tool result reads back as one empty text",
      "function_call_output always has an output",
      emptyResultsAsText,
    ),
    loss(
      "reasoning of other protocols and redacted thinking are dropped",
      "OpenAI rejects reasoning items it did not encrypt",
      dropThinkingUnless((p) => p.origin === "openai-responses" && p.encrypted !== undefined),
    ),
    loss("tool calls lose Gemini thought signatures", "they mean nothing to OpenAI", dropToolCallSignatures),
    loss("a thinking budget becomes reasoning.effort", "Responses has efforts, not budgets", budgetAsEffort),
    loss(
      "reasoning switched off is not sent",
      "effort 'none' exists only on some models; left out, the model's default applies",
      (req) => (req.reasoning?.enabled === false ? without(req, "reasoning") : req),
    ),
    loss("seed, top_k and the penalties are dropped", "Responses has no such fields", (req) =>
      without(req, "seed", "topK", "frequencyPenalty", "presencePenalty"),
    ),
    loss("a document URL loses its media type", "input_file.file_url has no type field", (req) =>
      mapParts(req, (p) =>
        p.type === "document" && p.source.kind === "url"
          ? { ...p, source: without(p.source, "mediaType") }
          : p,
      ),
    ),
  ],
  anthropic: [
    loss("max_tokens is always set (4096 when absent)", "Anthropic requires max_tokens", (req) => ({
      ...clone(req),
      maxTokens: req.maxTokens ?? 4096,
    })),
    loss("consecutive messages of one role merge", "Messages wants alternating turns", mergeSameRole),
    loss("images lose their detail hint", "Messages has no detail field", (req) =>
      mapParts(req, (p) => (p.type === "image" ? without(p, "detail") : p)),
    ),
    loss(
      "parallel tool calls on is not stated",
      "it is Anthropic's default; only disable_parallel_tool_use exists",
      (req) => (req.parallelToolCalls === true ? without(req, "parallelToolCalls") : req),
    ),
    loss(
      "thinking without an Anthropic signature is dropped",
      "Anthropic rejects unsigned or foreign thinking",
      dropThinkingUnless((p) => p.origin === "anthropic" && !!p.signature),
    ),
    loss(
      "tool calls lose Gemini thought signatures",
      "they mean nothing to Anthropic",
      dropToolCallSignatures,
    ),
    loss(
      "reasoning is switched off when the last assistant tool call has no signed thinking before it",
      "Anthropic rejects such a history with thinking on",
      (req) => {
        const last = req.messages.findLast((m) => m.role === "assistant");
        const calls = last?.content.some((p) => p.type === "tool_call");
        const first = last?.content[0];
        const signed =
          first?.type === "redacted_thinking" ||
          (first?.type === "thinking" && first.origin === "anthropic" && !!first.signature);
        return req.reasoning?.enabled && calls && !signed ? without(req, "reasoning") : req;
      },
    ),
    loss(
      "a JSON schema's name, description and strict flag are dropped",
      "output_config.format takes the schema only",
      schemaNamedResponse,
    ),
    loss(
      "seed, penalties and metadata other than the user are dropped",
      "Messages has no such fields",
      (req) => without(req, "seed", "frequencyPenalty", "presencePenalty", "metadata"),
    ),
  ],
  gemini: [
    loss("instructions join into one systemInstruction text", "systemInstruction is one content", joinSystem),
    loss("consecutive messages of one role merge", "Gemini wants alternating turns", mergeSameRole),
    loss(
      "tool call ids are regenerated (call_<name>_<n>)",
      "Gemini matches results to calls by name, and some endpoints reject ids",
      renumberToolIds,
    ),
    loss(
      "a current-turn tool call without a signature gets skip_thought_signature_validator",
      "Gemini 3 rejects a step whose first call has no signature",
      (req) => {
        const out = clone(req);
        let start = 0;
        out.messages.forEach((m, i) => {
          if (m.role === "user" && m.content.some((p) => p.type !== "tool_result")) start = i;
        });
        for (const m of out.messages.slice(start)) {
          const first = m.role === "assistant" ? m.content.find((p) => p.type === "tool_call") : undefined;
          if (first?.type === "tool_call" && !first.signature)
            first.signature = "skip_thought_signature_validator";
        }
        return out;
      },
    ),
    loss(
      "images a tool returned follow its functionResponse as parts of the turn",
      "only Gemini 3 reads images inside functionResponse",
      toolImagesAfterResults,
    ),
    loss(
      "an empty tool result reads back as one empty output",
      "a functionResponse always has a response",
      emptyResultsAsText,
    ),
    loss("parallel tool calls and tools' strict flag are dropped", "Gemini has no such settings", (req) => ({
      ...without(req, "parallelToolCalls"),
      ...(req.tools ? { tools: req.tools.map((t) => without(t, "strict")) } : {}),
    })),
    loss(
      "images lose their detail hint; a URL image gains the MIME type of its extension; documents lose their title",
      "fileData needs a MIME type; Gemini parts have no detail or file name",
      (req) =>
        mapParts(req, (p) => {
          if (p.type === "image") {
            const image = without(p, "detail");
            if (image.source.kind === "url" && !image.source.mediaType) image.source.mediaType = "image/png";
            return image;
          }
          return p.type === "document" ? without(p, "title") : p;
        }),
    ),
    loss(
      "thinking of other protocols and redacted thinking are dropped",
      "Gemini has no slot for another model's reasoning",
      dropThinkingUnless((p) => p.origin === "gemini"),
    ),
    loss(
      "an effort becomes a thinking budget, and thought text is asked for unless turned off",
      "thinkingConfig has budgets and includeThoughts",
      (req) => {
        const out = effortAsBudget(req);
        return out.reasoning?.enabled
          ? { ...out, reasoning: { includeThoughts: true, ...out.reasoning } }
          : out;
      },
    ),
    loss(
      "a JSON schema's name, description and strict flag are dropped",
      "responseJsonSchema takes the schema only",
      schemaNamedResponse,
    ),
    loss(
      "the end user and metadata are dropped",
      "Gemini has no end-user field (labels are billing tags)",
      (req) => without(req, "user", "metadata"),
    ),
  ],
};

/** Requests a protocol refuses with a 400 rather than change their meaning. */
const REFUSED: Partial<Record<Style, Record<string, string>>> = {
  openai: { document_url: "Chat Completions files are inline data, never a URL" },
  "openai-responses": { stop: "Responses cannot stop on a string, and ignoring stops changes the answer" },
};

/** What an answer loses rendered to a client of protocol P and read back by P's upstream side. */
const ANSWER_LOSSES: Record<Style, Loss<Answer>[]> = {
  openai: [
    loss(
      "reasoning keeps only its text, first, as reasoning_content of origin openai",
      "the message has one reasoning_content beside its content",
      (res) => {
        const thinking = res.content.filter((p): p is ThinkingPart => p.type === "thinking" && p.text !== "");
        const texts = res.content.filter((p) => p.type === "text");
        const joined = thinking.map((p) => p.text).join("");
        return {
          ...clone(res),
          content: [
            ...(joined ? [{ type: "thinking" as const, text: joined, origin: "openai" as const }] : []),
            ...texts,
            ...res.content.filter((p) => p.type === "tool_call"),
          ],
        };
      },
    ),
    loss(
      "a Gemini signature on a tool call rides inside the call id",
      "chat clients have no field for it and echo ids back",
      (res) => mapAnswerParts(res, packSignatureInId),
    ),
    loss("a stop sequence reads as a plain stop", "finish_reason has no stop_sequence", (res) =>
      res.finish === "stop_sequence" ? { ...without(res, "stopSequence"), finish: "stop" } : res,
    ),
  ],
  "openai-responses": [
    loss(
      "a Gemini signature on a tool call rides inside call_id",
      "Responses clients echo call_id back",
      (res) => mapAnswerParts(res, packSignatureInId),
    ),
    loss("a stop sequence reads as a plain stop", "a Response has no stop reason", (res) =>
      res.finish === "stop_sequence" ? { ...without(res, "stopSequence"), finish: "stop" } : res,
    ),
  ],
  anthropic: [
    loss(
      "reasoning of other protocols reads back as unsigned Anthropic thinking",
      'Anthropic clients get it with signature "" (Anthropic would reject a foreign one)',
      (res) =>
        mapAnswerParts(res, (p) =>
          p.type === "thinking" && p.origin !== "anthropic" ? thinkingAs("anthropic", false)(p) : p,
        ),
    ),
    loss(
      "a Gemini signature on a tool call rides inside the tool_use id",
      "Anthropic clients echo ids back",
      (res) => mapAnswerParts(res, packSignatureInId),
    ),
    loss("the creation time is dropped", "a Messages answer has none", (res) => without(res, "created")),
  ],
  gemini: [
    loss(
      "reasoning of other protocols reads back as Gemini thoughts without signature; redacted thinking is dropped",
      "Gemini parts carry only Gemini's own signatures",
      (res) =>
        mapAnswerParts(res, (p) =>
          p.type === "redacted_thinking"
            ? undefined
            : p.type === "thinking"
              ? thinkingAs("gemini", true)(p)
              : p,
        ),
    ),
    loss("a stop sequence reads as a plain stop", "Gemini reports both as STOP", (res) =>
      res.finish === "stop_sequence" ? { ...without(res, "stopSequence"), finish: "stop" } : res,
    ),
    loss(
      "cache writes count as plain input",
      "usageMetadata has no cache-write count (the total is unchanged)",
      (res) =>
        res.usage
          ? {
              ...clone(res),
              usage: { ...res.usage, input: res.usage.input + res.usage.cacheWrite, cacheWrite: 0 },
            }
          : res,
    ),
    loss("the creation time is dropped", "a GenerateContentResponse has none", (res) =>
      without(res, "created"),
    ),
  ],
};

/** What an answer loses streamed, beyond ANSWER_LOSSES (streams carry no creation time of the answer). */
const STREAM_ONLY: Loss<Answer> = loss("no creation time", "stream events carry none", (res) =>
  without(res, "created"),
);

const applyAll = <T>(value: T, losses: readonly Loss<T>[]): T => losses.reduce((v, l) => l.apply(v), value);

/** JSON-equal form (key order and undefined fields do not count). */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

// ─── round trips ────────────────────────────────────────────────────────────────────────────────────

const opts = (req: CanonicalRequest) => ({ model: "upstream-model", stream: req.stream, extraBody: {} });

function requestRoundTrip(style: Style, req: CanonicalRequest): CanonicalRequest {
  const body = TRANSLATION.outbound(style).encodeRequest(req, opts(req));
  return TRANSLATION.inbound(style).decodeRequest(plain(body) as Record<string, unknown>, {
    model: req.model,
    stream: req.stream,
  });
}

const answerOf = (res: CanonicalResponse): Answer => {
  const { content, finish, stopSequence, usage, created } = res;
  return plain({ content, finish, stopSequence, usage, created }) as Answer;
};

function responseRoundTrip(style: Style, res: CanonicalResponse): CanonicalResponse {
  const body = TRANSLATION.inbound(style).encodeResponse(res, CTX);
  return TRANSLATION.outbound(style).decodeResponse(plain(body));
}

/** The client's stream bytes for a sequence of canonical events. */
function encodeStream(style: Style, events: readonly CanonicalEvent[], fail?: GatewayError): string[] {
  const encoder = TRANSLATION.inbound(style).createStreamEncoder(CTX);
  const pieces = events.map((event) => encoder.push(event));
  pieces.push(fail ? encoder.fail(fail) : encoder.end());
  return pieces;
}

function decodeStream(style: Style, chunks: readonly Uint8Array[]): CanonicalEvent[] {
  const decoder = TRANSLATION.outbound(style).createStreamDecoder();
  return [...chunks.flatMap((chunk) => decoder.push(chunk)), ...decoder.end()];
}

/** An answer rebuilt from events, checking block discipline (every delta inside its open block). */
function reassemble(events: readonly CanonicalEvent[]): Answer & { errors: string[]; finishes: number } {
  const blocks = new Map<number, ContentPart>();
  const open = new Set<number>();
  const errors: string[] = [];
  let usage: Usage | undefined;
  let finish: CanonicalResponse["finish"] | undefined;
  let stopSequence: string | undefined;
  let finishes = 0;
  for (const event of events) {
    switch (event.type) {
      case "start":
        if (event.usage) usage = event.usage;
        break;
      case "block_start": {
        if (blocks.has(event.index)) throw new Error(`block ${event.index} started twice`);
        const b = event.block;
        open.add(event.index);
        blocks.set(
          event.index,
          b.kind === "text"
            ? { type: "text", text: "" }
            : b.kind === "thinking"
              ? {
                  type: "thinking",
                  text: "",
                  ...(b.id ? { id: b.id } : {}),
                  ...(b.origin ? { origin: b.origin } : {}),
                }
              : b.kind === "redacted_thinking"
                ? { type: "redacted_thinking", data: b.data }
                : {
                    type: "tool_call",
                    id: b.id,
                    name: b.name,
                    arguments: "",
                    ...(b.signature ? { signature: b.signature } : {}),
                  },
        );
        break;
      }
      case "block_stop":
        if (!open.delete(event.index)) throw new Error(`block ${event.index} stopped while not open`);
        break;
      case "usage":
        usage = event.usage;
        break;
      case "finish":
        finishes++;
        finish = event.reason;
        stopSequence = event.stopSequence;
        break;
      case "error":
        errors.push(event.error.message);
        break;
      default: {
        if (!open.has(event.index))
          throw new Error(`${event.type} for block ${event.index}, which is not open`);
        const part = blocks.get(event.index) as ContentPart;
        if (event.type === "text_delta" && part.type === "text") part.text += event.text;
        else if (event.type === "thinking_delta" && part.type === "thinking") part.text += event.text;
        else if (event.type === "tool_args_delta" && part.type === "tool_call") part.arguments += event.json;
        else if (event.type === "thinking_signature" && part.type === "thinking") {
          if (event.signature) part.signature = event.signature;
          if (event.encrypted) part.encrypted = event.encrypted;
        } else throw new Error(`${event.type} in a ${part.type} block`);
      }
    }
  }
  if (open.size > 0 && finish !== undefined) throw new Error(`blocks ${[...open]} never stopped`);
  const content = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, part]) => part);
  return { ...(plain({ content, finish, stopSequence, usage }) as Answer), errors, finishes };
}

/** Event-level chunking: text, thinking and argument deltas cut into 3-character pieces. */
function finerEvents(events: readonly CanonicalEvent[]): CanonicalEvent[] {
  return events.flatMap((event): CanonicalEvent[] => {
    const cut = (value: string) => value.match(/[\s\S]{1,3}/gu) ?? [""];
    if (event.type === "text_delta") return cut(event.text).map((text) => ({ ...event, text }));
    if (event.type === "thinking_delta") return cut(event.text).map((text) => ({ ...event, text }));
    if (event.type === "tool_args_delta") return cut(event.json).map((json) => ({ ...event, json }));
    return [event];
  });
}

/** Byte-level chunkings of one stream: whole, one chunk per encoder output, byte by byte, random cuts. */
function chunkings(pieces: readonly string[]): [string, Uint8Array[]][] {
  const all = bytes(pieces.join(""));
  return [
    ["whole", [all]],
    ["per event", pieces.filter((p) => p !== "").map(bytes)],
    [
      "byte by byte",
      splitAt(
        all,
        Array.from({ length: all.length - 1 }, (_, i) => i + 1),
      ),
    ],
    ...randomSplits(all, 3, 7).map((chunks, i): [string, Uint8Array[]] => [`random cuts #${i}`, chunks]),
  ];
}

// ─── the suite ──────────────────────────────────────────────────────────────────────────────────────

describe.each(STYLES)("translation contract: %s", (style) => {
  const requestLosses = REQUEST_LOSSES[style];
  const answerLosses = ANSWER_LOSSES[style];
  const refused = REFUSED[style] ?? {};
  const carried = Object.entries(REQUESTS).filter(([name]) => !(name in refused));

  describe("request: outbound encode → inbound decode", () => {
    it.each(carried)("%s comes back with only the documented losses", (_name, req) => {
      const back = requestRoundTrip(style, req);
      expect(plain(applyAll(back, requestLosses))).toEqual(plain(applyAll(req, requestLosses)));
      expect(back.model).toBe(req.model);
      expect(back.stream).toBe(req.stream);
      expect(back.features).toEqual([]);
    });

    it.each(Object.entries(refused))("%s is refused with a 400 naming why (%s)", (name) => {
      const req = REQUESTS[name] as CanonicalRequest;
      let error: unknown;
      try {
        TRANSLATION.outbound(style).encodeRequest(req, opts(req));
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).status).toBe(400);
      expect((error as GatewayError).code).toBe("unsupported");
    });

    it.each(requestLosses.map((l) => [l.what, l] as const))("loss needed by some fixture: %s", (_what, l) => {
      const others = requestLosses.filter((x) => x !== l);
      const differs = carried.some(([, req]) => {
        const back = requestRoundTrip(style, req);
        return JSON.stringify(plain(applyAll(back, others))) !== JSON.stringify(plain(applyAll(req, others)));
      });
      expect(differs).toBe(true);
    });
  });

  describe("answer: inbound encode → outbound decode", () => {
    it.each(Object.entries(RESPONSES))("%s comes back with only the documented losses", (_name, res) => {
      const back = responseRoundTrip(style, res);
      expect(applyAll(answerOf(back), answerLosses)).toEqual(applyAll(answerOf(res), answerLosses));
      expect(back.id).not.toBe("");
    });

    it.each(answerLosses.map((l) => [l.what, l] as const))("loss needed by some fixture: %s", (_what, l) => {
      const others = answerLosses.filter((x) => x !== l);
      const differs = Object.values(RESPONSES).some((res) => {
        const back = answerOf(responseRoundTrip(style, res));
        return JSON.stringify(applyAll(back, others)) !== JSON.stringify(applyAll(answerOf(res), others));
      });
      expect(differs).toBe(true);
    });
  });

  describe("stream: inbound stream encoder → bytes → outbound stream decoder", () => {
    const cases = Object.entries(STREAMS).flatMap(([name, fx]): [string, StreamFixture][] => [
      [name, fx],
      [`${name} (finer deltas)`, { ...fx, events: finerEvents(fx.events) }],
    ]);
    it.each(cases)("%s reassembles into the answer under every chunking", (_name, fx) => {
      const losses = [...answerLosses, STREAM_ONLY];
      const want = applyAll(answerOf(fx.answer), losses);
      for (const [how, chunks] of chunkings(encodeStream(style, fx.events))) {
        const got = reassemble(decodeStream(style, chunks));
        expect({ how, errors: got.errors, finishes: got.finishes }).toEqual({ how, errors: [], finishes: 1 });
        const { errors: _e, finishes: _f, ...answer } = got;
        expect({ how, answer: applyAll(answer, losses) }).toEqual({ how, answer: want });
      }
    });

    it.each(Object.entries(STREAMS))("%s cut by fail() reads back as an error and no finish", (_name, fx) => {
      const half = fx.events.slice(0, Math.max(1, Math.floor(fx.events.length / 2)));
      const err = new GatewayError(502, "upstream_error", "upstream went away");
      for (const [how, chunks] of chunkings(encodeStream(style, half, err))) {
        const got = reassemble(decodeStream(style, chunks));
        expect({ how, finishes: got.finishes, failed: got.errors.length > 0 }).toEqual({
          how,
          finishes: 0,
          failed: true,
        });
        expect(got.errors.some((m) => m.includes("upstream went away"))).toBe(true);
      }
    });
  });

  describe("usage is never counted twice", () => {
    // Gemini has no cache-write count: those tokens come back as input (the total stays the same).
    const want: Usage =
      style === "gemini" ? { ...USAGE, input: USAGE.input + USAGE.cacheWrite, cacheWrite: 0 } : USAGE;
    const total = (u: Usage) => u.input + u.cachedRead + u.cacheWrite + u.output;

    it("keeps input, cache reads and writes, output and reasoning in a whole answer", () => {
      const back = responseRoundTrip(style, { ...(RESPONSES.text as CanonicalResponse), usage: USAGE });
      expect(back.usage).toEqual(want);
      expect(total(back.usage as Usage)).toBe(total(USAGE));
    });

    it("keeps them in a stream, with input usage known at the start and the full usage at the end", () => {
      const events: CanonicalEvent[] = [
        { type: "start", id: "ans_1", model: "m", usage: { ...USAGE, output: 0, reasoning: 0 } },
        { type: "block_start", index: 0, block: { kind: "text" } },
        { type: "text_delta", index: 0, text: "Hi" },
        { type: "block_stop", index: 0 },
        { type: "usage", usage: USAGE },
        { type: "finish", reason: "stop" },
      ];
      const got = reassemble(decodeStream(style, [bytes(encodeStream(style, events).join(""))]));
      expect(got.usage).toEqual(want);
    });
  });
});

// ─── cross pairs ────────────────────────────────────────────────────────────────────────────────────

/** Recorded client requests of each protocol, and the canonical fixtures in each protocol's shape. */
function clientFixtures(style: Style): [string, Record<string, unknown>][] {
  const recorded: Record<Style, [string, Record<string, unknown>][]> = {
    openai: [
      ["tool loop (recorded)", toolLoopRequest],
      ["DeepSeek history (recorded)", deepSeekHistoryRequest],
    ],
    "openai-responses": [
      ["Codex turn (recorded)", codexRequest],
      ["multimodal (recorded)", multimodalRequest],
    ],
    anthropic: [
      ["Claude Code tool turn (recorded)", claudeCodeToolTurn],
      ["SDK request (recorded)", sdkRequest],
    ],
    gemini: [
      ["agent (recorded)", agentRequest],
      ["old client (recorded)", oldClientRequest],
    ],
  };
  const refused = REFUSED[style] ?? {};
  const encoded = Object.entries(REQUESTS)
    .filter(([name]) => !(name in refused))
    .map(([name, req]): [string, Record<string, unknown>] => [
      name,
      plain(TRANSLATION.outbound(style).encodeRequest(req, opts(req))) as Record<string, unknown>,
    ]);
  return [...recorded[style], ...encoded];
}

/** The facts a translation must keep whatever the pair: instructions, the last user words, tools, links. */
function keyFacts(req: CanonicalRequest) {
  const lastUser = req.messages.findLast(
    (m) => m.role === "user" && m.content.some((p) => p.type === "text"),
  );
  const texts = (lastUser?.content ?? []).flatMap((p) =>
    p.type === "text" && p.text !== "" ? [p.text] : [],
  );
  return {
    system: req.system.join("\n\n"),
    lastUserText: texts.join(""),
    tools: (req.tools ?? []).map((t) => t.name),
    results: req.messages.flatMap((m) => m.content).filter((p) => p.type === "tool_result").length,
  };
}

/** Every tool result answers a call made earlier in the conversation, under the same name. */
function expectLinked(req: CanonicalRequest, where: string) {
  const calls = new Map<string, string>();
  for (const message of req.messages) {
    for (const part of message.content) {
      if (part.type === "tool_call") calls.set(part.id, part.name);
      if (part.type === "tool_result") {
        expect({ where, linked: calls.has(part.toolCallId) }).toEqual({ where, linked: true });
        if (part.name !== undefined)
          expect({ where, name: part.name }).toEqual({
            where,
            name: calls.get(part.toolCallId) ?? "(no such call)",
          });
      }
    }
  }
}

describe.each(STYLES)("cross pairs: a %s client", (client) => {
  describe.each(STYLES.filter((s) => s !== client))("to a %s upstream", (upstream) => {
    it.each(clientFixtures(client))("%s keeps its key facts", (_name, body) => {
      const model = String(body.model ?? "client-model");
      const stream = body.stream === true;
      const req = TRANSLATION.inbound(client).decodeRequest(clone(body), { model, stream });
      let upstreamBody: Record<string, unknown>;
      try {
        upstreamBody = TRANSLATION.outbound(upstream).encodeRequest(req, opts(req));
      } catch (err) {
        // Only what the upstream protocol documents as refused may be refused.
        expect(err).toBeInstanceOf(GatewayError);
        const refusedStop = upstream === "openai-responses" && (req.stop?.length ?? 0) > 0;
        const refusedDocUrl =
          upstream === "openai" &&
          req.messages.some((m) => m.content.some((p) => p.type === "document" && p.source.kind === "url"));
        expect(refusedStop || refusedDocUrl).toBe(true);
        return;
      }
      const seen = TRANSLATION.inbound(upstream).decodeRequest(
        plain(upstreamBody) as Record<string, unknown>,
        {
          model,
          stream,
        },
      );
      const want = keyFacts(req);
      const got = keyFacts(seen);
      // Documented addition: OpenAI refuses JSON mode unless some text says JSON.
      const jsonLine = upstream === "openai" && req.responseFormat?.type === "json_object";
      const system = jsonLine ? got.system.replace(/(^|\n\n)Respond in JSON\.$/, "") : got.system;
      expect(system).toBe(want.system);
      expect(got.lastUserText).toBe(want.lastUserText);
      expect(got.tools).toEqual(want.tools);
      expect(got.results).toBe(want.results);
      expectLinked(seen, `${client} → ${upstream}`);
    });
  });
});
