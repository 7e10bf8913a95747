/**
 * The documented losses of each protocol's round trips, for the translation contract suite
 * (translation.case.test.ts): one line per loss, with the reason. Each loss rewrites a canonical request
 * or answer into what survives the round trip; the suite applies the table to both sides, so nothing
 * outside these tables may differ, and every line must be needed by some fixture.
 */
import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalResponse,
  ContentPart,
  ThinkingPart,
} from "../../../src/protocols/canonical";
import { asFunctionTool } from "../../../src/protocols/custom-tool";
import { packToolCallId } from "../../../src/protocols/tool-id";
import type { Style } from "../../../src/protocols/types";

/** The parts of an answer a round trip must keep. */
export type Answer = Pick<CanonicalResponse, "content" | "finish" | "stopSequence" | "usage" | "created">;

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

/** Tool call arguments that are not a JSON object, as `{}`. */
const badArgumentsAsEmpty = (req: CanonicalRequest) =>
  mapParts(req, (part) => {
    if (part.type !== "tool_call") return part;
    try {
      const value: unknown = JSON.parse(part.arguments);
      if (value && typeof value === "object" && !Array.isArray(value)) return part;
    } catch {}
    return { ...part, arguments: "{}" };
  });

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

// ─── the tables ─────────────────────────────────────────────────────────────────────────────────────

export interface Loss<T> {
  what: string;
  why: string;
  apply: (value: T) => T;
}
const loss = <T>(what: string, why: string, apply: (value: T) => T): Loss<T> => ({ what, why, apply });

const customAsFunction = (req: CanonicalRequest) =>
  req.tools ? { ...clone(req), tools: req.tools.map(asFunctionTool) } : req;
const WHY_CUSTOM =
  "only Responses has freeform tools (and the canonical arguments of their calls are {input} JSON)";
const CUSTOM_TOOLS =
  "custom (freeform) tools travel as functions taking one string, input, their grammar told in the description";

const offNotSent = (req: CanonicalRequest) =>
  req.reasoning?.enabled === false ? without(req, "reasoning") : req;
const stopSequenceAsStop = (res: Answer): Answer =>
  res.finish === "stop_sequence" ? { ...without(res, "stopSequence"), finish: "stop" } : res;

/** Anthropic: reasoning is off when the last assistant turn calls a tool without signed thinking first. */
function offAfterUnsignedToolTurn(req: CanonicalRequest): CanonicalRequest {
  const last = req.messages.findLast((m) => m.role === "assistant");
  const calls = last?.content.some((p) => p.type === "tool_call");
  const first = last?.content[0];
  const signed =
    first?.type === "redacted_thinking" ||
    (first?.type === "thinking" && first.origin === "anthropic" && !!first.signature);
  return req.reasoning?.enabled && calls && !signed ? without(req, "reasoning") : req;
}

/** Gemini: the first unsigned call of each step of the current turn gets Google's skip value. */
function skipSignatureInCurrentTurn(req: CanonicalRequest): CanonicalRequest {
  const out = clone(req);
  let start = 0;
  out.messages.forEach((m, i) => {
    if (m.role === "user" && m.content.some((p) => p.type !== "tool_result")) start = i;
  });
  for (const m of out.messages.slice(start)) {
    const first = m.role === "assistant" ? m.content.find((p) => p.type === "tool_call") : undefined;
    if (first?.type === "tool_call" && !first.signature) first.signature = "skip_thought_signature_validator";
  }
  return out;
}

/** Gemini media: no detail, a URL image's MIME type from its extension, no document title. */
const geminiMedia = (req: CanonicalRequest) =>
  mapParts(req, (p) => {
    if (p.type === "document") return without(p, "title");
    if (p.type !== "image") return p;
    const image = without(p, "detail");
    if (image.source.kind === "url" && !image.source.mediaType) image.source.mediaType = "image/png";
    return image;
  });

const geminiReasoning = (req: CanonicalRequest) => {
  const out = effortAsBudget(req);
  return out.reasoning?.enabled ? { ...out, reasoning: { includeThoughts: true, ...out.reasoning } } : out;
};

/** Chat answers: one reasoning_content (first), one content, then the tool calls. */
function chatAnswerShape(res: Answer): Answer {
  const thinking = res.content.filter((p): p is ThinkingPart => p.type === "thinking" && p.text !== "");
  const joined = thinking.map((p) => p.text).join("");
  return {
    ...clone(res),
    content: [
      ...(joined ? [{ type: "thinking" as const, text: joined, origin: "openai" as const }] : []),
      ...res.content.filter((p) => p.type === "text"),
      ...res.content.filter((p) => p.type === "tool_call"),
    ],
  };
}

const geminiCacheWrites = (res: Answer): Answer =>
  res.usage
    ? { ...clone(res), usage: { ...res.usage, input: res.usage.input + res.usage.cacheWrite, cacheWrite: 0 } }
    : res;

/** What a request loses going out to protocol P and read back by P's client side. */
// biome-ignore format: one line per loss
export const REQUEST_LOSSES: Record<Style, Loss<CanonicalRequest>[]> = {
  openai: [
    loss(CUSTOM_TOOLS, WHY_CUSTOM, customAsFunction),
    loss("instructions join into one system message", "one leading system message is what every OpenAI-compatible vendor accepts", joinSystem),
    loss("tool results lose their error flag", "a tool message has no error field; its text says what failed", dropResultErrors),
    loss("images a tool returned move to a user message right after the tool messages", "tool messages take text only", toolImagesAfterResults),
    loss("an empty tool result reads back as one empty text", "a tool message always has content", emptyResultsAsText),
    loss("reasoning keeps only its text, as reasoning_content of origin openai", "signatures, encrypted content and redacted thinking are opaque to all but their maker", (req) => mapParts(dropThinkingUnless((p) => p.text !== "")(req), thinkingAs("openai", false))),
    loss("tool calls lose Gemini thought signatures", "they mean nothing to an OpenAI-style upstream", dropToolCallSignatures),
    loss("a thinking budget becomes reasoning_effort", "Chat Completions has efforts, not budgets (≤2048 low, ≤8192 medium, else high)", budgetAsEffort),
    loss("includeThoughts is dropped", "Chat Completions has no switch for it", reasoningWithout("includeThoughts")),
    loss("reasoning switched off is not sent", "reasoning_effort none exists only on some models; left out, the model's default applies", offNotSent),
    loss("top_k and metadata are dropped", "no Chat Completions field (metadata needs store: true and never reaches the model)", (req) => without(req, "topK", "metadata")),
  ],
  "openai-responses": [
    loss(CUSTOM_TOOLS, WHY_CUSTOM, customAsFunction),
    loss("instructions join into one instructions text", "Responses has one instructions field", joinSystem),
    loss("consecutive messages of one role merge", "the client side reads items of one role as one turn", mergeSameRole),
    loss("tool results lose their error flag", "function_call_output has no error field", dropResultErrors),
    loss("an empty tool result reads back as one empty text", "function_call_output always has an output", emptyResultsAsText),
    loss("reasoning of other protocols and redacted thinking are dropped", "OpenAI rejects reasoning items it did not encrypt", dropThinkingUnless((p) => p.origin === "openai-responses" && p.encrypted !== undefined)),
    loss("tool calls lose Gemini thought signatures", "they mean nothing to OpenAI", dropToolCallSignatures),
    loss("a thinking budget becomes reasoning.effort", "Responses has efforts, not budgets (≤2048 low, ≤8192 medium, else high)", budgetAsEffort),
    loss("reasoning switched off is not sent", "effort none exists only on some models; left out, the model's default applies", offNotSent),
    loss("seed, top_k and the penalties are dropped", "Responses has no such fields", (req) => without(req, "seed", "topK", "frequencyPenalty", "presencePenalty")),
    loss("a document URL loses its media type", "input_file.file_url has no type field", (req) => mapParts(req, (p) => (p.type === "document" && p.source.kind === "url" ? { ...p, source: without(p.source, "mediaType") } : p))),
  ],
  anthropic: [
    loss(CUSTOM_TOOLS, WHY_CUSTOM, customAsFunction),
    loss("max_tokens is always set (4096 when absent)", "Anthropic requires max_tokens", (req) => ({ ...clone(req), maxTokens: req.maxTokens ?? 4096 })),
    loss("consecutive messages of one role merge", "Messages wants alternating turns", mergeSameRole),
    loss("images lose their detail hint", "Messages has no detail field", (req) => mapParts(req, (p) => (p.type === "image" ? without(p, "detail") : p))),
    loss("parallel tool calls on is not stated", "it is Anthropic's default; only disable_parallel_tool_use exists", (req) => (req.parallelToolCalls === true ? without(req, "parallelToolCalls") : req)),
    loss("thinking without an Anthropic signature is dropped", "Anthropic rejects unsigned or foreign thinking", dropThinkingUnless((p) => p.origin === "anthropic" && !!p.signature)),
    loss("tool calls lose Gemini thought signatures", "they mean nothing to Anthropic", dropToolCallSignatures),
    loss("tool call arguments that are not a JSON object are sent as {}", "tool_use.input must be an object; the call's result tells the model what failed", badArgumentsAsEmpty),
    loss("reasoning is switched off when the last assistant tool call has no signed thinking before it", "Anthropic rejects such a history with thinking on", offAfterUnsignedToolTurn),
    loss("a JSON schema's name, description and strict flag are dropped", "output_config.format takes the schema only", schemaNamedResponse),
    loss("seed, penalties and metadata other than the user are dropped", "Messages has no such fields", (req) => without(req, "seed", "frequencyPenalty", "presencePenalty", "metadata")),
  ],
  gemini: [
    loss(CUSTOM_TOOLS, WHY_CUSTOM, customAsFunction),
    loss("instructions join into one systemInstruction text", "systemInstruction is one content", joinSystem),
    loss("consecutive messages of one role merge", "Gemini wants alternating turns", mergeSameRole),
    loss("tool call ids are regenerated (call_<name>_<n>)", "Gemini matches results to calls by name, and some endpoints reject ids", renumberToolIds),
    loss("a current-turn tool call without a signature gets skip_thought_signature_validator", "Gemini 3 rejects a step whose first call has no signature", skipSignatureInCurrentTurn),
    loss("tool call arguments that are not a JSON object are sent as {}", "functionCall.args must be an object; the call's result tells the model what failed", badArgumentsAsEmpty),
    loss("images a tool returned follow its functionResponse as parts of the turn", "only Gemini 3 reads images inside functionResponse", toolImagesAfterResults),
    loss("an empty tool result reads back as one empty output", "a functionResponse always has a response", emptyResultsAsText),
    loss("parallel tool calls and tools' strict flag are dropped", "Gemini has no such settings", (req) => ({ ...without(req, "parallelToolCalls"), ...(req.tools ? { tools: req.tools.map((t) => without(t, "strict")) } : {}) })),
    loss("images lose their detail hint, a URL image gains the MIME type of its extension, documents lose their title", "fileData needs a MIME type; Gemini parts have no detail or file name", geminiMedia),
    loss("thinking of other protocols and redacted thinking are dropped", "Gemini has no slot for another model's reasoning", dropThinkingUnless((p) => p.origin === "gemini")),
    loss("an effort becomes a thinking budget, and thought text is asked for unless turned off", "thinkingConfig has budgets and includeThoughts", geminiReasoning),
    loss("a JSON schema's name, description and strict flag are dropped", "responseJsonSchema takes the schema only", schemaNamedResponse),
    loss("the end user and metadata are dropped", "Gemini has no end-user field (labels are billing tags)", (req) => without(req, "user", "metadata")),
  ],
};

/** Requests a protocol refuses with a 400 rather than change their meaning. */
// biome-ignore format: one line per refusal
export const REFUSED: Partial<Record<Style, Record<string, string>>> = {
  openai: { document_url: "Chat Completions files are inline data, never a URL" },
  "openai-responses": { stop: "Responses cannot stop on a string, and ignoring stops changes the answer" },
};

/** What an answer loses rendered to a client of protocol P and read back by P's upstream side. */
// biome-ignore format: one line per loss
export const ANSWER_LOSSES: Record<Style, Loss<Answer>[]> = {
  openai: [
    loss("reasoning keeps only its text, first, as reasoning_content of origin openai; text joins into one content", "a chat message has one reasoning_content and one content", chatAnswerShape),
    loss("a Gemini signature on a tool call rides inside the call id", "chat clients have no field for it and echo ids back", (res) => mapAnswerParts(res, packSignatureInId)),
    loss("a stop sequence reads as a plain stop", "finish_reason has no stop_sequence", stopSequenceAsStop),
  ],
  "openai-responses": [
    loss("a Gemini signature on a tool call rides inside call_id", "Responses clients echo call_id back", (res) => mapAnswerParts(res, packSignatureInId)),
    loss("a stop sequence reads as a plain stop", "a Response has no stop reason", stopSequenceAsStop),
  ],
  anthropic: [
    loss("reasoning of other protocols reads back as unsigned Anthropic thinking", "Anthropic clients get it with signature \"\" (a foreign signature would be rejected)", (res) => mapAnswerParts(res, (p) => (p.type === "thinking" && p.origin !== "anthropic" ? thinkingAs("anthropic", false)(p) : p))),
    loss("a Gemini signature on a tool call rides inside the tool_use id", "Anthropic clients echo ids back", (res) => mapAnswerParts(res, packSignatureInId)),
    loss("the creation time is dropped", "a Messages answer has none", (res) => without(res, "created")),
  ],
  gemini: [
    loss("reasoning of other protocols reads back as Gemini thoughts without signature; redacted thinking is dropped", "Gemini parts carry only Gemini's own signatures", (res) => mapAnswerParts(res, (p) => (p.type === "redacted_thinking" ? undefined : p.type === "thinking" ? thinkingAs("gemini", true)(p) : p))),
    loss("a stop sequence reads as a plain stop", "Gemini reports both as STOP", stopSequenceAsStop),
    loss("cache writes count as plain input", "usageMetadata has no cache-write count (the total is unchanged)", geminiCacheWrites),
    loss("the creation time is dropped", "a GenerateContentResponse has none", (res) => without(res, "created")),
  ],
};

/** A stream's answer also has no creation time: stream events carry none. */
export const STREAM_ONLY: Loss<Answer> = loss("no creation time", "stream events carry none", (res) =>
  without(res, "created"),
);

export const applyAll = <T>(value: T, losses: readonly Loss<T>[]): T =>
  losses.reduce((v, l) => l.apply(v), value);

/** JSON-equal form (key order and undefined fields do not count). */
export const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
