import { GatewayError } from "../../core/errors";
import { MAX_JSON_DEPTH } from "../../core/json-depth";
import { decodeUtf8 } from "../../core/utf8";
import { outlineBytes, type RawLayout, scanJson } from "../../protocols/raw-json";
import type { ProtocolCodec } from "../../protocols/types";
import type { RequestContext } from "./context";

/**
 * CORS for browser clients (chat web apps calling the gateway directly). Keys travel as bearer headers,
 * never cookies, so any origin may call; the headers a client needs to read are exposed.
 */
const CORS = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers":
    "x-request-id, server-timing, retry-after, x-llmio-token-estimate, x-llmio-upstream-protocol",
} as const;

/** The answer to a CORS preflight on the client API: every method it serves, whatever headers are asked. */
export function preflight(request: Request): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...CORS,
      "access-control-allow-methods": "GET, POST, OPTIONS",
      "access-control-allow-headers":
        request.headers.get("access-control-request-headers") ??
        "authorization, content-type, x-api-key, x-goog-api-key, anthropic-version, anthropic-beta",
      "access-control-max-age": "86400",
    },
  });
}

/** Base headers of every proxied answer: the trace id, the gateway's own time, CORS. */
export function gatewayHeaders(
  ctx: RequestContext,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...CORS,
    "x-request-id": ctx.traceId,
    "server-timing": `gateway;dur=${ctx.markOverhead().toFixed(3)}`,
    ...extra,
  };
}

/** An error in the caller's own protocol shape. */
export function errorResponse(
  codec: ProtocolCodec,
  ctx: RequestContext,
  err: GatewayError,
  extra: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(codec.errorBody(err)), {
    status: err.status,
    headers: gatewayHeaders(ctx, { "content-type": "application/json", ...extra }),
  });
}

/** A request body as read once: its bytes, where they can be patched, and the parsed object. */
export interface JsonBody {
  raw: Uint8Array<ArrayBuffer>;
  layout: RawLayout;
  /**
   * The parsed body; with `outline`, strings of LONG_STRING bytes and more may stand as placeholders (the
   * structure and every short field are exact): enough to sniff and to pass the bytes through.
   */
  body: Record<string, unknown>;
  /** The body with every string in full (parsed on first call when `body` is an outline). */
  full: () => Record<string, unknown>;
}

/**
 * Reads the request body within the size limit: 413 past it, 400 when it is not a JSON object, 422 when it
 * nests deeper than MAX_JSON_DEPTH (re-serialising or walking such a body would overflow the stack). The
 * depth is scanned in the raw bytes, which also finds where `model` sits for pass-through splicing and
 * where the long strings are. With `outline`, a body holding long strings is parsed without them first
 * (a 1 MiB prompt is then neither decoded nor copied unless an attempt needs its text).
 */
export async function readJsonBody(
  request: Request,
  limit: number,
  opts: { outline?: boolean } = {},
): Promise<JsonBody> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit)
    throw new GatewayError(413, "payload_too_large", `request body exceeds ${limit} bytes`);
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = await request.bytes();
  } catch {
    // A client that went away mid-upload is a cancelled request, not an oversized one.
    if (request.signal.aborted) throw new GatewayError(499, "invalid_request", "client closed the request");
    throw new GatewayError(413, "payload_too_large", `request body exceeds ${limit} bytes`);
  }
  if (raw.byteLength > limit)
    throw new GatewayError(413, "payload_too_large", `request body exceeds ${limit} bytes`);
  const layout = scanJson(raw, MAX_JSON_DEPTH);
  const outline = opts.outline ? outlineBytes(raw, layout) : undefined;
  const body = parseObject(outline ?? raw);
  if (layout.tooDeep) {
    throw new GatewayError(422, "invalid_request", `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let full: Record<string, unknown> | undefined = outline ? undefined : body;
  return { raw, layout, body, full: () => (full ??= parseObject(raw)) };
}

/** JSON bytes as an object: 400 when they are not JSON, or not an object. */
function parseObject(bytes: Uint8Array): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(decodeUtf8(bytes));
  } catch {
    throw new GatewayError(400, "invalid_request", "request body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError(400, "invalid_request", "request body must be a JSON object");
  }
  return body as Record<string, unknown>;
}
