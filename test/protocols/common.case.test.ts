/**
 * The contract every protocol codec keeps, run against all four (Hono's common.case idea): sniffing, the
 * same-protocol upstream body, stream taps under any chunking, whole-body facts, error bodies and events.
 */
import { describe, expect, it } from "bun:test";
import { GatewayError } from "../../src/core/errors";
import { codecFor } from "../../src/protocols/registry";
import { createSseParser } from "../../src/protocols/sse";
import type { ProtocolCodec, ResponseFacts, SniffContext, Style } from "../../src/protocols/types";
import {
  anthropicErrorTranscript,
  anthropicRequest,
  anthropicResponse,
  anthropicStreamFacts,
  anthropicTranscript,
} from "./fixtures/anthropic";
import {
  geminiErrorTranscript,
  geminiRequest,
  geminiResponse,
  geminiStreamFacts,
  geminiTranscript,
} from "./fixtures/gemini";
import { chatRequest, chatResponse, chatStreamFacts, chatTranscript } from "./fixtures/openai-chat";
import {
  responsesErrorTranscript,
  responsesRequest,
  responsesResponse,
  responsesStreamFacts,
  responsesTranscript,
} from "./fixtures/openai-responses";
import { bytes, concat, feed, randomSplits, splitAt } from "./helpers";

interface CodecCase {
  style: Style;
  request: Record<string, unknown>;
  ctx: SniffContext;
  model: string;
  transcript: string;
  streamFacts: ResponseFacts;
  errorTranscript: string;
  response: unknown;
  responseFacts: ResponseFacts;
}

const headers = new Headers();
const cases: CodecCase[] = [
  {
    style: "openai",
    request: chatRequest,
    ctx: { headers },
    model: "gpt-4.1",
    transcript: chatTranscript,
    streamFacts: chatStreamFacts,
    errorTranscript:
      'data: {"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}\n\n',
    response: chatResponse,
    responseFacts: chatStreamFacts,
  },
  {
    style: "openai-responses",
    request: responsesRequest,
    ctx: { headers },
    model: "o4-mini",
    transcript: responsesTranscript,
    streamFacts: responsesStreamFacts,
    errorTranscript: responsesErrorTranscript,
    response: responsesResponse,
    responseFacts: responsesStreamFacts,
  },
  {
    style: "anthropic",
    request: anthropicRequest,
    ctx: { headers },
    model: "claude-sonnet-4-5",
    transcript: anthropicTranscript,
    streamFacts: anthropicStreamFacts,
    errorTranscript: anthropicErrorTranscript,
    response: anthropicResponse,
    responseFacts: {
      usage: { input: 2095, cachedRead: 503, cacheWrite: 0, output: 503, reasoning: 0 },
      finishReason: "end_turn",
    },
  },
  {
    style: "gemini",
    request: geminiRequest,
    ctx: { headers, urlModel: "gemini-2.5-flash", urlStream: true },
    model: "gemini-2.5-flash",
    transcript: geminiTranscript,
    streamFacts: geminiStreamFacts,
    errorTranscript: geminiErrorTranscript,
    response: geminiResponse,
    responseFacts: geminiStreamFacts,
  },
];

const statuses = [400, 401, 403, 404, 413, 422, 429, 500, 502, 503, 504];

describe.each(cases)("codec $style", (c) => {
  const codec: ProtocolCodec = codecFor(c.style);

  it("is registered under its own style", () => {
    expect(codec.style).toBe(c.style);
  });

  it("sniffs the model and stream flag of a real request", () => {
    const sniffed = codec.sniff(c.request, c.ctx);
    expect(sniffed.model).toBe(c.model);
    expect(sniffed.stream).toBe(c.style === "gemini" ? true : c.request.stream === true);
  });

  it.each([[null], [[]], ["text"], [42]])("rejects the body %p with a 400", (body: unknown) => {
    expect(() => codec.sniff(body as unknown as Record<string, unknown>, c.ctx)).toThrow(GatewayError);
    try {
      codec.sniff(body as unknown as Record<string, unknown>, c.ctx);
    } catch (err) {
      expect((err as GatewayError).status).toBe(400);
      expect((err as GatewayError).code).toBe("invalid_request");
    }
  });

  it("passes the very same body upstream when nothing changes", () => {
    const body = { ...c.request, stream: false };
    expect(codec.toUpstreamBody(body, { model: c.model, stream: false, extraBody: {} })).toBe(body);
  });

  it("copies the body to change the model and merge extra_body, leaving the client's body alone", () => {
    const body = structuredClone(c.request);
    const before = structuredClone(body);
    const out = codec.toUpstreamBody(body, {
      model: "upstream-model",
      stream: false,
      extraBody: { seed: 7 },
    });
    expect(out).not.toBe(body);
    expect(body).toEqual(before);
    expect(out.seed).toBe(7);
    if (c.style === "gemini") expect(out.model).toBeUndefined();
    else expect(out.model).toBe("upstream-model");
  });

  it("reads the facts of a whole response body", () => {
    expect(codec.parseResponse(c.response)).toEqual(c.responseFacts);
  });

  it("returns no facts for a body that is not an object", () => {
    expect(codec.parseResponse("oops")).toEqual({});
    expect(codec.parseResponse(null)).toEqual({});
  });

  describe("stream tap", () => {
    const all = bytes(c.transcript);

    it("forwards every chunk as the same instance and reads the facts", () => {
      const tap = codec.createStreamTap();
      const chunks = splitAt(all, [Math.floor(all.length / 3), Math.floor((2 * all.length) / 3)]);
      const { returned, tail } = feed(tap, chunks);
      returned.forEach((r, i) => expect(r).toBe(chunks[i]));
      expect(tail).toBeUndefined();
      expect(tap.facts()).toEqual(c.streamFacts);
    });

    it("gives the same facts and bytes when split at every byte boundary", () => {
      for (let cut = 1; cut < all.length; cut++) {
        const tap = codec.createStreamTap();
        const chunks = splitAt(all, [cut]);
        const { returned, forwarded } = feed(tap, chunks);
        expect(returned[0]).toBe(chunks[0]);
        expect(returned[1]).toBe(chunks[1]);
        expect(forwarded).toEqual(all);
        expect(tap.facts()).toEqual(c.streamFacts);
      }
    });

    it("gives the same facts and bytes under 200 random chunkings and byte by byte", () => {
      const byteByByte = splitAt(
        all,
        Array.from({ length: all.length - 1 }, (_, i) => i + 1),
      );
      for (const chunks of [...randomSplits(all, 200), byteByByte]) {
        const tap = codec.createStreamTap();
        const { forwarded } = feed(tap, chunks);
        expect(forwarded).toEqual(all);
        expect(tap.facts()).toEqual(c.streamFacts);
      }
    });

    it("gives the same facts and bytes when every chunk holds whole events (LF and CRLF lines)", () => {
      const lf = c.transcript.replaceAll("\r\n", "\n");
      for (const transcript of [lf, lf.replaceAll("\n", "\r\n")]) {
        const whole = bytes(transcript);
        const events = transcript.split(/(?<=\n\r?\n)/).map(bytes);
        const pairs = events.flatMap((e, i) => (i % 2 ? [] : [concat([e, events[i + 1]])]));
        for (const chunks of [events, pairs, [whole]]) {
          const tap = codec.createStreamTap();
          const { returned, forwarded } = feed(tap, chunks);
          returned.forEach((r, i) => expect(r).toBe(chunks[i]));
          expect(forwarded).toEqual(whole);
          expect(tap.facts()).toEqual(c.streamFacts);
        }
      }
    });

    it("reports an error the upstream sent inside the stream", () => {
      const tap = codec.createStreamTap();
      feed(tap, [bytes(c.errorTranscript)]);
      expect(tap.facts().error).toBeString();
    });

    it("reports no error for a clean stream", () => {
      const tap = codec.createStreamTap();
      feed(tap, [all]);
      expect(tap.facts().error).toBeUndefined();
    });
  });

  it.each(statuses)("renders a %i as a JSON error body carrying the message", (status) => {
    const err = new GatewayError(status, "internal", `boom ${status}`);
    const body = JSON.parse(JSON.stringify(codec.errorBody(err)));
    expect(JSON.stringify(body)).toContain(`boom ${status}`);
    expect(body.error).toBeObject();
  });

  it("ends a stream with one complete SSE error event that its own tap recognises", () => {
    const err = new GatewayError(503, "unavailable", "all upstreams are down");
    const event = codec.streamErrorEvent(err);
    expect(event.endsWith("\n\n")).toBe(true);
    const parser = createSseParser();
    const events = [...parser.push(bytes(event)), ...parser.end()];
    expect(events).toHaveLength(1);
    expect(JSON.stringify(JSON.parse(events[0].data))).toContain("all upstreams are down");
    expect(event).not.toContain("[DONE]");
    const tap = codec.createStreamTap();
    feed(tap, [bytes(event)]);
    expect(tap.facts().error).toContain("all upstreams are down");
  });

  it("lists models with every id", () => {
    const list = codec.modelList([
      { id: "gpt-4.1", created: 1_700_000_000_000 },
      { id: "claude-sonnet-4-5", created: 1_700_000_100_000 },
    ]);
    const json = JSON.stringify(list);
    expect(json).toContain("gpt-4.1");
    expect(json).toContain("claude-sonnet-4-5");
  });
});
