import type { Style } from "../protocols/types";
import { normalizeBaseUrl } from "./base-url";

/** The parts of a provider that transport needs (no storage types beyond the shape). */
export interface UpstreamProvider {
  type: Style;
  base_url: string;
  api_key: string;
  anthropic_version: string | null;
  headers: Record<string, string>;
  proxy_url: string | null;
}

export type Operation = "generate" | "stream" | "count_tokens" | "embeddings" | "models";

export const DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

/** Transport of one provider type: where each operation goes and how it authenticates. */
export interface ProviderTransport {
  url(base: string, op: Operation, model: string): string;
  authHeaders(p: UpstreamProvider): Record<string, string>;
  /** Model ids out of one page of the upstream's model list, and the next page's URL if any. */
  parseModels(body: unknown, base: string, pageUrl: string): { ids: string[]; next?: string };
}

const bearerAuth = (p: UpstreamProvider) => ({ authorization: `Bearer ${p.api_key}` });

type ModelsPage = { data?: { id?: string }[]; has_more?: boolean; last_id?: string };

/** The string ids of a model list; entries without one are skipped rather than listed as "undefined". */
const idsOf = (items: { id?: unknown }[] | undefined): string[] =>
  (items ?? []).flatMap((m) => (typeof m?.id === "string" && m.id ? [m.id] : []));

const openaiLike = (path: string): ProviderTransport => ({
  url: (base, op) =>
    op === "models" ? `${base}/models` : op === "embeddings" ? `${base}/embeddings` : `${base}${path}`,
  authHeaders: bearerAuth,
  parseModels: (body) => ({ ids: idsOf((body as ModelsPage).data) }),
});

const TRANSPORTS: Record<Style, ProviderTransport> = {
  openai: openaiLike("/chat/completions"),
  "openai-responses": openaiLike("/responses"),
  anthropic: {
    url: (base, op) =>
      op === "models"
        ? `${base}/models?limit=1000`
        : op === "count_tokens"
          ? `${base}/messages/count_tokens`
          : `${base}/messages`,
    authHeaders: (p) => ({
      "x-api-key": p.api_key,
      "anthropic-version": p.anthropic_version || DEFAULT_ANTHROPIC_VERSION,
    }),
    parseModels: (body, base) => {
      const page = body as ModelsPage;
      const ids = idsOf(page.data);
      return {
        ids,
        next:
          page.has_more && page.last_id
            ? `${base}/models?limit=1000&after_id=${encodeURIComponent(page.last_id)}`
            : undefined,
      };
    },
  },
  gemini: {
    url: (base, op, model) => {
      const m = encodeURIComponent(model);
      if (op === "models") return `${base}/models?pageSize=1000`;
      if (op === "stream") return `${base}/models/${m}:streamGenerateContent?alt=sse`;
      if (op === "count_tokens") return `${base}/models/${m}:countTokens`;
      if (op === "embeddings") return `${base}/models/${m}:batchEmbedContents`;
      return `${base}/models/${m}:generateContent`;
    },
    authHeaders: (p) => ({ "x-goog-api-key": p.api_key }),
    parseModels: (body, base) => {
      const page = body as { models?: { name?: string }[]; nextPageToken?: string };
      const ids = idsOf((page.models ?? []).map((m) => ({ id: m?.name?.replace(/^models\//, "") })));
      return {
        ids,
        next: page.nextPageToken
          ? `${base}/models?pageSize=1000&pageToken=${encodeURIComponent(page.nextPageToken)}`
          : undefined,
      };
    },
  },
};

export function transportFor(type: Style): ProviderTransport {
  return TRANSPORTS[type];
}

/** The full URL of an operation on a provider. */
export function upstreamUrl(p: UpstreamProvider, op: Operation, model = ""): string {
  return TRANSPORTS[p.type].url(normalizeBaseUrl(p.type, p.base_url), op, model);
}

/**
 * How upstream calls are made: `fetch` itself in production. It must have taken (copied) a byte body by the
 * time it returns, as `fetch` does: large bodies are built in a buffer that is reused right after the call
 * (core/scratch.ts).
 */
export type HttpClient = (input: string, init: RequestInit & { proxy?: string }) => Promise<Response>;

/** Reads every page of a provider's model list. Throws an Error with a safe message on failure. */
export async function listUpstreamModels(
  p: UpstreamProvider,
  http: HttpClient,
  signal?: AbortSignal,
): Promise<string[]> {
  const transport = TRANSPORTS[p.type];
  const base = normalizeBaseUrl(p.type, p.base_url);
  const ids: string[] = [];
  let url: string | undefined = transport.url(base, "models", "");
  for (let page = 0; url && page < 20; page++) {
    const res = await http(url, {
      headers: { ...p.headers, ...transport.authHeaders(p), accept: "application/json" },
      signal,
      // Never followed: a redirect would carry the provider's key to another origin.
      redirect: "manual",
      ...(p.proxy_url ? { proxy: p.proxy_url } : {}),
    });
    if (!res.ok) {
      const text = (await res.text()).slice(0, 300);
      throw new Error(`upstream answered ${res.status}: ${text.replaceAll(p.api_key || "\u0000", "***")}`);
    }
    const parsed = transport.parseModels(await res.json(), base, url);
    ids.push(...parsed.ids);
    url = parsed.next;
  }
  return [...new Set(ids)].sort();
}
