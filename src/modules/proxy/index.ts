import { Elysia } from "elysia";
import type { Style } from "../../protocols/types";
import { countTokens, listModels } from "./extras";
import { type Inbound, type ProxyDeps, ProxyService } from "./service";

type Server = { requestIP(req: Request): { address: string } | null } | null;

const ip = (server: Server, request: Request) =>
  request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ||
  server?.requestIP(request)?.address ||
  null;

/** `/v1beta/models/{model}:{action}` → model and whether it streams; undefined for another action. */
function geminiAction(path: string): { model: string; stream: boolean } | undefined {
  const i = path.lastIndexOf(":");
  if (i <= 0) return undefined;
  const action = path.slice(i + 1);
  if (action !== "generateContent" && action !== "streamGenerateContent") return undefined;
  return { model: decodeURIComponent(path.slice(0, i)), stream: action === "streamGenerateContent" };
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
    ip: ip(server, request),
    ...extra,
  });
  // `/v1/models` answers in Anthropic's shape for Anthropic clients (they send anthropic-version).
  const v1ModelsStyle = (request: Request): Style =>
    request.headers.has("anthropic-version") ? "anthropic" : "openai";

  const gemini = (prefix: string) =>
    new Elysia({ prefix })
      .get("/models", ({ request, server }) => listModels(d, inbound("gemini", request, server)))
      .get("/models/:model", ({ request, server, params }) =>
        listModels(d, inbound("gemini", request, server), decodeURIComponent(params.model)),
      )
      .post("/models/*", ({ request, server, params }) => {
        const action = geminiAction(params["*"]);
        if (!action) {
          return new Response(
            JSON.stringify({ error: { code: 404, message: "unknown action", status: "NOT_FOUND" } }),
            {
              status: 404,
              headers: { "content-type": "application/json" },
            },
          );
        }
        return svc.handle(
          inbound("gemini", request, server, { urlModel: action.model, urlStream: action.stream }),
        );
      });

  const openai = (prefix: string) =>
    new Elysia({ prefix })
      .post("/chat/completions", ({ request, server }) => svc.handle(inbound("openai", request, server)))
      .post("/responses", ({ request, server }) => svc.handle(inbound("openai-responses", request, server)))
      .get("/models", ({ request, server }) => listModels(d, inbound("openai", request, server)))
      .get("/models/:model", ({ request, server, params }) =>
        listModels(d, inbound("openai", request, server), decodeURIComponent(params.model)),
      );

  const anthropic = (prefix: string) =>
    new Elysia({ prefix })
      .post("/messages", ({ request, server }) => svc.handle(inbound("anthropic", request, server)))
      .post("/messages/count_tokens", ({ request, server }) =>
        countTokens(d, inbound("anthropic", request, server)),
      );

  return new Elysia({ name: "proxy" })
    .post("/v1/chat/completions", ({ request, server }) => svc.handle(inbound("openai", request, server)))
    .post("/v1/responses", ({ request, server }) => svc.handle(inbound("openai-responses", request, server)))
    .post("/v1/messages", ({ request, server }) => svc.handle(inbound("anthropic", request, server)))
    .post("/v1/messages/count_tokens", ({ request, server }) =>
      countTokens(d, inbound("anthropic", request, server)),
    )
    .get("/v1/models", ({ request, server }) =>
      listModels(d, inbound(v1ModelsStyle(request), request, server)),
    )
    .get("/v1/models/:model", ({ request, server, params }) =>
      listModels(d, inbound(v1ModelsStyle(request), request, server), decodeURIComponent(params.model)),
    )
    .use(openai("/openai/v1"))
    .use(anthropic("/anthropic/v1"))
    .get("/anthropic/v1/models", ({ request, server }) =>
      listModels(d, inbound("anthropic", request, server)),
    )
    .use(gemini("/v1beta"))
    .use(gemini("/gemini/v1beta"));
}

export type { ProxyDeps };
