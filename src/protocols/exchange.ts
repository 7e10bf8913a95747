/**
 * How one attempt talks to its upstream: a per-attempt choice between pass-through (the link speaks the
 * client's protocol: the body is forwarded with only `model`, extra_body and the usage flag changed, and
 * the answer's bytes go back as they are) and translation through the canonical form (any other pairing).
 * Failover may cross protocols in the middle of a request: each attempt makes its own exchange.
 */
import { type ErrorCode, GatewayError } from "../core/errors";
import { decodeUtf8 } from "../core/utf8";
import type {
  CanonicalEvent,
  CanonicalRequest,
  InboundCodec,
  OutboundCodec,
  RenderContext,
  StreamEncoder,
} from "./canonical";
import { errorMessage, isObject, parseJsonObject } from "./json";
import { type RawLayout, spliceBody } from "./raw-json";
import type { ProtocolCodec, ResponseFacts, Sniffed, StreamTap, Style, Usage } from "./types";

const encoder = new TextEncoder();

/** What the upstream side of an exchange needs to know about the link. */
export interface ExchangeLink {
  type: Style;
  providerModel: string;
  extraBody: Record<string, unknown>;
}

/** A client request as read once, shared by every attempt's exchange. */
export interface ExchangeRequest {
  /** The client's protocol. */
  codec: ProtocolCodec;
  raw: Uint8Array<ArrayBuffer>;
  /**
   * The parsed body, possibly an outline: strings of LONG_STRING bytes and more may stand as placeholders
   * (raw-json.ts). Exact in its structure and short fields; anything that reads text uses `full()`.
   */
  body: Record<string, unknown>;
  /** The body with every string in full (parsed on first call when `body` is an outline). */
  full: () => Record<string, unknown>;
  /** Where `raw` can be patched in place (pass-through splices the link's model instead of re-serialising). */
  layout?: RawLayout;
  sniffed: Sniffed;
  /** The request in canonical form, decoded at most once (only when an attempt translates). */
  canonical: () => CanonicalRequest;
  render: RenderContext;
  /** The codecs to translate with; present when a link of the request's model speaks another protocol. */
  translation?: TranslationCodecs;
}

/** The codecs that translate: the client side of the request's protocol, the upstream side of the link's. */
export interface TranslationCodecs {
  inbound(style: Style): InboundCodec;
  outbound(style: Style): OutboundCodec;
}

/** A whole answer as the client gets it, and what it said. */
export interface Answer {
  body: Uint8Array<ArrayBuffer> | string;
  facts: ResponseFacts;
  /** Extra response headers (e.g. `x-llmio-token-estimate` when usage was estimated). */
  headers?: Record<string, string>;
}

export interface Exchange {
  /** The client's protocol (its error bodies and stream error events). */
  readonly client: ProtocolCodec;
  /** True when the answer is translated (the client's protocol differs from the link's). */
  readonly translated: boolean;
  /** The upstream request body. Throws a GatewayError(400) when the link's protocol cannot carry it. */
  payload(): Uint8Array<ArrayBuffer> | string;
  /**
   * A whole 2xx answer for the client. Throws `BadResponse` when the upstream's body is not a valid
   * answer of its protocol (truncated, not JSON, no content): a failure of the link, not of the request.
   */
  answer(bytes: Uint8Array<ArrayBuffer>, text?: string): Answer;
  /** A tap over the upstream's stream that returns the client's bytes. */
  tap(): StreamTap;
  /** A 4xx the request caused, as the client's protocol renders it. */
  rejection(status: number, text: string, contentType: string | null): { body: string; contentType: string };
}

/** The upstream's answer is not a valid answer of its protocol. */
export class BadResponse extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BadResponse";
  }
}

/**
 * An endpoint other than a protocol's generate call (embeddings): its client codec, the link types that
 * can serve it, and its own exchange.
 */
export interface Endpoint {
  op: "embeddings";
  codec: ProtocolCodec;
  /** Why a link of this type cannot serve the endpoint, or undefined when it can. */
  unsupported(type: Style): string | undefined;
  exchange(req: ExchangeRequest, link: ExchangeLink): Exchange;
}

/** The exchange for one attempt of `req` on a link. */
export function createExchange(req: ExchangeRequest, link: ExchangeLink): Exchange {
  if (link.type === req.codec.style) return passThrough(req, link);
  const codecs = translationOf(req);
  return translating(req, link, codecs.inbound(req.codec.style), codecs.outbound(link.type));
}

/** Features of the request the link's protocol cannot carry (empty when the link can serve it). */
export function missingFeatures(req: ExchangeRequest, linkType: Style): CanonicalRequest["features"] {
  if (linkType === req.codec.style) return [];
  const carried = translationOf(req).outbound(linkType).features;
  return req.canonical().features.filter((f) => !carried.has(f));
}

function translationOf(req: ExchangeRequest): TranslationCodecs {
  if (!req.translation) throw new Error("a translated attempt needs the translation codecs loaded first");
  return req.translation;
}

/** The exchange that forwards the client's body and relays the upstream's answer unchanged. */
export function passThrough(req: ExchangeRequest, link: ExchangeLink): Exchange {
  const { codec, sniffed } = req;
  return {
    client: codec,
    translated: false,
    payload() {
      const opts = { model: link.providerModel, stream: sniffed.stream, extraBody: link.extraBody };
      const upstreamBody = codec.toUpstreamBody(req.body, opts);
      if (upstreamBody === req.body) return req.raw;
      const spliced = spliceBody(req.raw, req.layout, req.body, upstreamBody);
      if (spliced) return spliced;
      // Serialised again: from the whole body, as the outline's long strings are placeholders.
      const full = req.full();
      return JSON.stringify(full === req.body ? upstreamBody : codec.toUpstreamBody(full, opts));
    },
    answer(bytes, text) {
      const parsed = answerBody(bytes, text);
      return { body: bytes, facts: codec.parseResponse(parsed) };
    },
    tap: () => codec.createStreamTap({ hideUsageChunk: sniffed.clientWantsStreamUsage === false }),
    rejection: (_status, text, contentType) => ({
      body: text,
      contentType: contentType ?? "application/json",
    }),
  };
}

function translating(
  req: ExchangeRequest,
  link: ExchangeLink,
  inbound: InboundCodec,
  outbound: OutboundCodec,
): Exchange {
  return {
    client: req.codec,
    translated: true,
    payload: () =>
      JSON.stringify(
        outbound.encodeRequest(req.canonical(), {
          model: link.providerModel,
          stream: req.sniffed.stream,
          extraBody: link.extraBody,
        }),
      ),
    answer(bytes, text) {
      const parsed = answerBody(bytes, text);
      let res: ReturnType<OutboundCodec["decodeResponse"]>;
      try {
        res = outbound.decodeResponse(parsed);
      } catch (err) {
        throw new BadResponse(err instanceof Error ? err.message : String(err));
      }
      const facts: ResponseFacts = { finishReason: res.finish };
      if (res.usage) facts.usage = res.usage;
      return { body: JSON.stringify(inbound.encodeResponse(res, renderOf(req))), facts };
    },
    tap: () => translatingTap(outbound, inbound.createStreamEncoder(renderOf(req))),
    rejection: (status, text) => translatedRejection(req.codec, status, text),
  };
}

/** The render context of a translated answer: the request's custom tools named, so their calls render as such. */
function renderOf(req: ExchangeRequest): RenderContext {
  const custom = req.canonical().tools?.flatMap((tool) => (tool.kind === "custom" ? [tool.name] : []));
  return custom && custom.length > 0 ? { ...req.render, customTools: custom } : req.render;
}

/** An upstream's 4xx in the client's protocol: its status and message, the client's error shape. */
export function translatedRejection(
  client: ProtocolCodec,
  status: number,
  text: string,
): { body: string; contentType: string } {
  const parsed = parseJsonObject(text);
  const message = parsed ? errorMessage(parsed.error ?? parsed) : text.trim().slice(0, 500);
  const err = new GatewayError(status, codeFor(status), message || `upstream answered HTTP ${status}`);
  return { body: JSON.stringify(client.errorBody(err)), contentType: "application/json" };
}

/**
 * A whole answer's JSON object; BadResponse when it is not valid JSON or not an object. `text` is the bytes
 * already decoded, when the caller has them.
 */
export function answerBody(bytes: Uint8Array, text?: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? decodeUtf8(bytes));
  } catch {
    throw new BadResponse("body is not valid JSON");
  }
  if (!isObject(parsed)) throw new BadResponse("body is not a JSON object");
  return parsed;
}

function codeFor(status: number): ErrorCode {
  if (status === 413) return "payload_too_large";
  if (status === 422) return "validation";
  if (status === 404) return "not_found";
  return status >= 500 ? "upstream_error" : "invalid_request";
}

/**
 * Upstream stream bytes → canonical events → the client's stream bytes, one chunk at a time. A stream that
 * ends without a finish was cut short: the client gets its protocol's error event, never a fake completion.
 */
function translatingTap(outbound: OutboundCodec, enc: StreamEncoder): StreamTap {
  const dec = outbound.createStreamDecoder();
  let usage: Usage | undefined;
  let finishReason: string | undefined;
  let error: string | undefined;
  let failed = false;

  const emit = (events: CanonicalEvent[]): string => {
    let out = "";
    for (const ev of events) {
      if (failed) break;
      if (ev.type === "usage") usage = ev.usage;
      else if (ev.type === "start" && ev.usage) usage = ev.usage;
      else if (ev.type === "finish") finishReason = ev.reason;
      else if (ev.type === "error") {
        failed = true;
        error = ev.error.message;
        out += enc.fail(ev.error);
        break;
      }
      out += enc.push(ev);
    }
    return out;
  };
  const bytes = (text: string) => (text ? encoder.encode(text) : undefined);

  return {
    push: (chunk) => (failed ? undefined : bytes(emit(dec.push(chunk)))),
    end() {
      if (failed) return undefined;
      let out = emit(dec.end());
      if (failed) return bytes(out);
      if (finishReason === undefined) {
        failed = true;
        error = "upstream stream ended before the answer finished";
        out += enc.fail(new GatewayError(502, "upstream_error", error));
      } else {
        out += enc.end();
      }
      return bytes(out);
    },
    facts() {
      const facts: ResponseFacts = {};
      if (usage) facts.usage = usage;
      if (finishReason) facts.finishReason = finishReason;
      if (error) facts.error = error;
      return facts;
    },
  };
}
