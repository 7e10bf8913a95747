import { GatewayError } from "../../core/errors";
import { codecFor, upstreamTokenCounter } from "../../protocols/registry";
import { assertModelAllowed, authenticate, type Caller } from "./auth";
import { errorResponse, gatewayHeaders, readJsonBody } from "./respond";
import type { Inbound, ProxyDeps } from "./service";
import { type RequestContext, startContext } from "./context";
import { callUpstream } from "../../providers/upstream-call";

const json = (ctx: RequestContext, body: unknown, extra: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    headers: gatewayHeaders(ctx, { "content-type": "application/json", ...extra }),
  });

/**
 * Runs a client call that is answered here and not recorded (model lists, token counts): its context, the
 * caller's key, and any GatewayError in the caller's protocol.
 */
async function answer(
  d: ProxyDeps,
  inb: Inbound,
  run: (ctx: RequestContext, caller: Caller) => Response | Promise<Response>,
): Promise<Response> {
  const ctx = startContext(inb, d.clock);
  try {
    const caller = authenticate(
      inb.request.headers,
      inb.request.url,
      d.snapshot().keys,
      d.adminToken,
      d.clock.now(),
    );
    return await run(ctx, caller);
  } catch (err) {
    if (err instanceof GatewayError) return errorResponse(codecFor(inb.style), ctx, err);
    throw err;
  }
}

/** The models a caller may use, in the caller's protocol shape (`/v1/models`, `/v1beta/models`). */
export function listModels(d: ProxyDeps, inb: Inbound, only?: string): Promise<Response> {
  return answer(d, inb, (ctx, caller) => {
    const codec = codecFor(inb.style);
    const models = d
      .snapshot()
      .all.models()
      .filter((m) => m.links.length > 0 && (caller.allowAll || caller.models.has(m.name)))
      .filter((m) => only === undefined || m.name === only)
      // Unix ms, as the codecs expect: each protocol converts to its own unit.
      .map((m) => ({ id: m.name, created: m.createdAt }));
    if (only === undefined) return json(ctx, codec.modelList(models));
    if (models.length === 0) throw new GatewayError(404, "not_found", `model "${only}" does not exist`);
    const list = codec.modelList(models) as { data?: unknown[]; models?: unknown[] };
    return json(ctx, (list.data ?? list.models ?? [])[0]);
  });
}

/**
 * A client's token count (Anthropic's `count_tokens`): forwarded to a link of the model that can count it
 * (the protocol registry says which) when one answers; otherwise the protocol's local estimate, marked as
 * such (`estimated: true` and `x-llmio-token-estimate: true`).
 */
export function countTokens(d: ProxyDeps, inb: Inbound): Promise<Response> {
  return answer(d, inb, async (ctx, caller) => {
    const counter = codecFor(inb.style).tokenCounter;
    if (!counter) throw new GatewayError(404, "not_found", "this API has no token count");
    const { body } = await readJsonBody(inb.request, d.config.bodyLimit);
    if (typeof body.model !== "string" || !body.model)
      throw new GatewayError(400, "invalid_request", "model is required", "model");
    assertModelAllowed(caller, body.model);
    const model = d.snapshot().all.get(body.model);
    if (!model) throw new GatewayError(404, "not_found", `model "${body.model}" does not exist`);
    const counting = model.links
      .flatMap((link) => {
        const via = upstreamTokenCounter(inb.style, link.provider.type);
        return via ? [{ link, via }] : [];
      })
      .sort((a, b) => b.link.priority - a.link.priority || b.link.weight - a.link.weight);
    for (const { link, via } of counting.slice(0, 2)) {
      try {
        const res = await callUpstream(
          d.http,
          link,
          "count_tokens",
          JSON.stringify(via.toUpstreamBody(body, link.providerModel)),
          {
            signal: AbortSignal.any([inb.request.signal, AbortSignal.timeout(15_000)]),
            clientHeaders: inb.request.headers,
          },
        );
        if (res.ok) {
          const counted = via.readCount(await res.json());
          if (counted !== undefined) return json(ctx, { input_tokens: counted });
        } else await res.body?.cancel();
      } catch {
        // fall through to the next link, then to the estimate
      }
    }
    return json(
      ctx,
      { input_tokens: counter.estimate(body), estimated: true },
      { "x-llmio-token-estimate": "true" },
    );
  });
}
