import { upstreamBodyScratch } from "../core/scratch";
import {
  type HttpClient,
  type Operation,
  transportFor,
  type UpstreamProvider,
  upstreamUrl,
} from "./registry";
import type { RouteLink } from "../routing/types";

// Never forwarded from a client: credentials (the provider's own are set below) and hop-by-hop headers.
const DROP = new Set([
  "authorization",
  "x-api-key",
  "x-goog-api-key",
  "api-key",
  "cookie",
  "host",
  "connection",
  "keep-alive",
  "proxy-authorization",
  "proxy-authenticate",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "content-length",
  "content-encoding",
  "accept-encoding",
  "expect",
]);

type Op = Exclude<Operation, "models">;

/**
 * What every attempt on a link would otherwise rebuild: its URLs (base-URL normalisation runs a regex) and
 * its header set. Links are immutable and replaced whole when the admin API changes routing, so a weak map
 * keyed by the link object is never stale and lets go of old snapshots.
 */
const perLink = new WeakMap<
  RouteLink,
  { urls: Partial<Record<Op, string>>; headers?: Readonly<Record<string, string>> }
>();

function cacheOf(link: RouteLink) {
  let c = perLink.get(link);
  if (!c) {
    c = { urls: {} };
    perLink.set(link, c);
  }
  return c;
}

/** The link's provider in the shape transport functions take. */
function upstreamProvider(link: RouteLink): UpstreamProvider {
  const p = link.provider;
  return {
    type: p.type,
    base_url: p.baseUrl,
    api_key: p.apiKey,
    anthropic_version: p.anthropicVersion,
    headers: p.headers,
    proxy_url: p.proxyUrl,
  };
}

/** Where an attempt goes: the operation's URL on the link's provider. */
export function attemptUrl(link: RouteLink, op: Op): string {
  const urls = cacheOf(link).urls;
  const cached = urls[op];
  if (cached !== undefined) return cached;
  const url = upstreamUrl(upstreamProvider(link), op, link.providerModel);
  urls[op] = url;
  return url;
}

/**
 * Headers of an upstream attempt, in the original llmio's precedence: the client's own headers (only
 * when the link has with_header, minus credentials and hop-by-hop ones), then the link's custom headers,
 * then the provider's, then the provider's credentials.
 */
export function attemptHeaders(link: RouteLink, client: Headers): Record<string, string> {
  // Without with_header the set is the same on every attempt: built once per link, shared read-only.
  if (!link.withHeader) {
    const c = cacheOf(link);
    c.headers ??= Object.freeze(linkHeaders(link, {}));
    return c.headers as Record<string, string>;
  }
  const out: Record<string, string> = {};
  client.forEach((value, name) => {
    if (!DROP.has(name) && !name.startsWith("x-forwarded-") && !name.startsWith("sec-")) out[name] = value;
  });
  return linkHeaders(link, out);
}

function linkHeaders(link: RouteLink, out: Record<string, string>): Record<string, string> {
  // Names are lower-cased so a later source replaces an earlier one however it spelled the name
  // (fetch would otherwise join "X-A" and "x-a" into one comma-separated value).
  const auth = transportFor(link.provider.type).authHeaders(upstreamProvider(link));
  for (const source of [link.headers, link.provider.headers, auth]) {
    for (const name in source) out[name.toLowerCase()] = source[name] as string;
  }
  out["content-type"] = "application/json";
  return out;
}

/** Upstream response headers worth passing on to the client (rate-limit hints); the rest stay ours. */
export function passOnHeaders(upstream: Headers, into: Record<string, string>): void {
  upstream.forEach((value, name) => {
    if (name.includes("ratelimit") || name === "retry-after") into[name] = value;
  });
}

/**
 * The one way an upstream call is made for a link (proxy attempts, count_tokens, connectivity probes): the
 * operation's URL, the link's header set, the body, and the rules every call keeps — POST, redirects never
 * followed (they would carry the provider's key to another origin), the provider's proxy.
 */
export function callUpstream(
  http: HttpClient,
  link: RouteLink,
  op: Op,
  body: BodyInit,
  opts: { signal: AbortSignal; clientHeaders?: Headers },
): Promise<Response> {
  try {
    return http(attemptUrl(link, op), {
      method: "POST",
      headers: attemptHeaders(link, opts.clientHeaders ?? NO_HEADERS),
      body,
      signal: opts.signal,
      redirect: "manual",
      ...(link.provider.proxyUrl ? { proxy: link.provider.proxyUrl } : {}),
    });
  } finally {
    // fetch has copied the body by the time it returns its promise (test/providers/fetch-body-copy.test.ts):
    // a body built in the scratch buffer no longer needs it.
    upstreamBodyScratch.release();
  }
}

const NO_HEADERS = new Headers();
