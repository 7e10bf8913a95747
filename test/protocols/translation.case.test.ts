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
  CanonicalRequest,
  CanonicalResponse,
  ContentPart,
  RenderContext,
} from "../../src/protocols/canonical";
import { TRANSLATION } from "../../src/protocols/translation";
import type { Style, Usage } from "../../src/protocols/types";
import { bytes, randomSplits, splitAt } from "./helpers";
import { claudeCodeToolTurn, sdkRequest } from "./translate/fixtures/anthropic";
import { agentRequest, oldClientRequest } from "./translate/fixtures/gemini";
import { deepSeekHistoryRequest, toolLoopRequest } from "./translate/fixtures/openai-chat";
import { codexRequest, multimodalRequest } from "./translate/fixtures/openai-responses";
import { REQUESTS, RESPONSES, STREAMS, type StreamFixture, USAGE } from "./translate/fixtures/canonical";
import {
  ANSWER_LOSSES,
  type Answer,
  applyAll,
  plain,
  REFUSED,
  REQUEST_LOSSES,
  STREAM_ONLY,
} from "./translate/losses";

const clone = <T>(value: T): T => structuredClone(value);

const STYLES: Style[] = ["openai", "openai-responses", "anthropic", "gemini"];
const CTX: RenderContext = { model: "client-model", id: "gw_0123", created: 1700000000, includeUsage: true };

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

/**
 * The client's stream bytes for a sequence of canonical events; a failure ends it through fail(), or as
 * an error event pushed like any other (what a decoder gives for an upstream's error event).
 */
function encodeStream(
  style: Style,
  events: readonly CanonicalEvent[],
  fail?: { error: GatewayError; as: "fail()" | "error event" },
): string[] {
  const encoder = TRANSLATION.inbound(style).createStreamEncoder(CTX);
  const pieces = events.map((event) => encoder.push(event));
  if (!fail) pieces.push(encoder.end());
  else if (fail.as === "fail()") pieces.push(encoder.fail(fail.error));
  else pieces.push(encoder.push({ type: "error", error: fail.error }), encoder.end());
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

    const failures = Object.entries(STREAMS).flatMap(([name, fx]) =>
      (["fail()", "error event"] as const).map((as) => [name, as, fx] as const),
    );
    it.each(failures)("%s cut by %s reads back as an error and no finish", (_name, as, fx) => {
      const half = fx.events.slice(0, Math.max(1, Math.floor(fx.events.length / 2)));
      const error = new GatewayError(502, "upstream_error", "upstream went away");
      for (const [how, chunks] of chunkings(encodeStream(style, half, { error, as }))) {
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
