import { Elysia } from "elysia";
import { GatewayError } from "../../core/errors";
import { codecFor, ENDPOINTS } from "../../protocols/registry";
import type { Style } from "../../protocols/types";
import { countTokens, listModels } from "./extras";
import { startContext } from "./context";
import { errorResponse, preflight } from "./respond";
import { type Inbound, type ProxyDeps, ProxyService } from "./service";

const EMBEDDINGS: Partial<Inbound> = { endpoint: ENDPOINTS.embeddings };

type Server = { requestIP(req: Request): { address: string } | null } | null;

/** The client's address: the socket's, or (only behind a trusted proxy) the first X-Forwarded-For hop. */
const ip = (server: Server, request: Request, trustProxy: boolean) =>
  (trustProxy ? request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() : undefined) ||
  server?.requestIP(request)?.address ||
  null;

/**
 * `/v1beta/models/{model}:{action}` → model and whether it streams; undefined for another action. A model
 * whose percent-encoding is malformed is a 400, not an uncaught URIError.
 */
function geminiAction(path: string): { model: string; stream: boolean } | undefined {
  const i = path.lastIndexOf(":");
  if (i <= 0) return undefined;
  const action = path.slice(i + 1);
  if (action !== "generateContent" && action !== "streamGenerateContent") return undefined;
  let model: string;
  try {
    model = decodeURIComponent(path.slice(0, i));
  } catch {
    throw new GatewayError(400, "invalid_request", "the model in the path is not valid percent-encoding");
  }
  return { model, stream: action === "streamGenerateContent" };
}

/**
 * The client-facing API: OpenAI (chat completions, responses), Anthropic (messages, count_tokens) and
 * Gemini (generateContent, streamGenerateContent), plus model lists, at the paths llmio has them.
 * Bodies are read raw by the service (no Elysia parsing), so they can be forwarded byte for byte.
 */
export function proxyModule(d: ProxyDeps) {
  const svc = new ProxyService(d);
  const inbound = (
    style: Style,
    request: Request,
    server: Server,
    extra: Partial<Inbound> = {},
  ): Inbound => ({
    style,
    request,
    ip: ip(server, request, d.config.trustProxy),
    ...extra,
  });
  // `/v1/models` answers in Anthropic's shape for Anthropic clients (they send anthropic-version).
  const v1ModelsStyle = (request: Request): Style =>
    request.headers.has("anthropic-version") ? "anthropic" : "openai";

  /** A 404 in the protocol of the prefix, so SDKs that hit a path we lack get an error they can parse. */
  const unknownPath = (style: Style, request: Request, server: Server) =>
    errorResponse(
      codecFor(style),
      startContext(inbound(style, request, server), d.clock),
      new GatewayError(404, "not_found", `no route for ${request.method} ${new URL(request.url).pathname}`),
    );

  const gemini = (prefix: string) =>
    new Elysia({ prefix })
      .get("/models", ({ request, server }) => listModels(d, inbound("gemini", request, server)))
      .get("/models/:model", ({ request, server, params }) =>
        listModels(d, inbound("gemini", request, server), params.model),
      )
      .post("/models/*", ({ request, server, params }) => {
        let action: ReturnType<typeof geminiAction>;
        try {
          action = geminiAction(params["*"]);
        } catch (err) {
          const ctx = startContext(inbound("gemini", request, server), d.clock);
          return errorResponse(codecFor("gemini"), ctx, err as GatewayError);
        }
        if (!action) return unknownPath("gemini", request, server);
        return svc.handle(
          inbound("gemini", request, server, { urlModel: action.model, urlStream: action.stream }),
        );
      })
      // GET too, or the UI's GET catch-all would take it; `all` covers every other method.
      .get("/*", ({ request, server }) => unknownPath("gemini", request, server))
      .all("/*", ({ request, server }) => unknownPath("gemini", request, server));

  const openai = (prefix: string) =>
    new Elysia({ prefix })
      .post("/chat/completions", ({ request, server }) => svc.handle(inbound("openai", request, server)))
      .post("/responses", ({ request, server }) => svc.handle(inbound("openai-responses", request, server)))
      .post("/embeddings", ({ request, server }) =>
        svc.handle(inbound("openai", request, server, EMBEDDINGS)),
      )
      .get("/models", ({ request, server }) => listModels(d, inbound("openai", request, server)))
      .get("/models/:model", ({ request, server, params }) =>
        listModels(d, inbound("openai", request, server), params.model),
      )
      .get("/*", ({ request, server }) => unknownPath("openai", request, server))
      .all("/*", ({ request, server }) => unknownPath("openai", request, server));

  const anthropic = (prefix: string) =>
    new Elysia({ prefix })
      .post("/messages", ({ request, server }) => svc.handle(inbound("anthropic", request, server)))
      .post("/messages/count_tokens", ({ request, server }) =>
        countTokens(d, inbound("anthropic", request, server)),
      );

  return (
    new Elysia({ name: "proxy" })
      .post("/v1/chat/completions", ({ request, server }) => svc.handle(inbound("openai", request, server)))
      .post("/v1/responses", ({ request, server }) =>
        svc.handle(inbound("openai-responses", request, server)),
      )
      .post("/v1/embeddings", ({ request, server }) =>
        svc.handle(inbound("openai", request, server, EMBEDDINGS)),
      )
      .post("/v1/messages", ({ request, server }) => svc.handle(inbound("anthropic", request, server)))
      .post("/v1/messages/count_tokens", ({ request, server }) =>
        countTokens(d, inbound("anthropic", request, server)),
      )
      .get("/v1/models", ({ request, server }) =>
        listModels(d, inbound(v1ModelsStyle(request), request, server)),
      )
      .get("/v1/models/:model", ({ request, server, params }) =>
        listModels(d, inbound(v1ModelsStyle(request), request, server), params.model),
      )
      .use(openai("/openai/v1"))
      .use(anthropic("/anthropic/v1"))
      .get("/anthropic/v1/models", ({ request, server }) =>
        listModels(d, inbound("anthropic", request, server)),
      )
      // CORS preflights of browser clients, before the catch-alls below.
      .options("/v1/*", ({ request }) => preflight(request))
      .options("/v1beta/*", ({ request }) => preflight(request))
      .options("/openai/*", ({ request }) => preflight(request))
      .options("/anthropic/*", ({ request }) => preflight(request))
      .options("/gemini/*", ({ request }) => preflight(request))
      .get("/anthropic/*", ({ request, server }) => unknownPath("anthropic", request, server))
      .all("/anthropic/*", ({ request, server }) => unknownPath("anthropic", request, server))
      .get("/v1/*", ({ request, server }) => unknownPath("openai", request, server))
      .all("/v1/*", ({ request, server }) => unknownPath("openai", request, server))
      .use(gemini("/v1beta"))
      .use(gemini("/gemini/v1beta"))
  );
}

export type { ProxyDeps };
