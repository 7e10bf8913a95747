import { GatewayError } from "../../../core/errors";
import { redact } from "../../../core/logger";
import { PROBE_KINDS, type ProbeKind } from "../../../protocols/probe";
import { codecFor, probeFor } from "../../../protocols/registry";
import type { RouteLink } from "../../../routing/types";
import { toRouteLink, toRouteProvider } from "../../proxy/snapshot";
import { callUpstream } from "../../../providers/upstream-call";
import { matchesError } from "../../../routing";
import { type AdminDeps, found } from "../shared";

export interface ProbeResult {
  ok: boolean;
  ms: number;
  error?: string;
  /** The link has this capability switched off, so it was not tested. */
  skipped?: true;
}

const PROBE_TIMEOUT_MS = 30_000;

const CAPABILITY: Partial<Record<ProbeKind, keyof RouteLink["capabilities"]>> = {
  tool_call: "tool_call",
  structured_output: "structured_output",
  image: "image",
};

/** Runs one probe against a link: a small real request, checked for what it asked. */
async function probe(d: AdminDeps, link: RouteLink, kind: ProbeKind): Promise<ProbeResult> {
  const style = link.provider.type;
  const stream = kind === "stream";
  const started = d.clock.mono();
  const ms = () => Math.round(d.clock.mono() - started);
  const fail = (error: string): ProbeResult => ({
    ok: false,
    ms: ms(),
    error: redact(link.provider.apiKey ? error.replaceAll(link.provider.apiKey, "***") : error).slice(0, 300),
  });
  try {
    // The protocol puts the model and the link's extra_body where it keeps them, as on a proxied request.
    const body = codecFor(style).toUpstreamBody(probeFor(style).body(kind, link.providerModel), {
      model: link.providerModel,
      stream,
      extraBody: link.extraBody,
    });
    const res = await callUpstream(d.http, link, stream ? "stream" : "generate", JSON.stringify(body), {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    const text = await res.text();
    if (!res.ok) return fail(`HTTP ${res.status}: ${text.trim().slice(0, 200)}`);
    if (matchesError(link.provider.errorMatcher, text))
      return fail(`error_matcher matched: ${text.trim().slice(0, 200)}`);
    if (stream) {
      const tap = codecFor(style).createStreamTap();
      tap.push(new TextEncoder().encode(text));
      tap.end();
      const facts = tap.facts();
      if (facts.error) return fail(facts.error);
      if (!text.includes("data:")) return fail("the answer is not an SSE stream");
      return { ok: true, ms: ms() };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return fail(`the answer is not JSON: ${text.slice(0, 100)}`);
    }
    const problem = probeFor(style).check(kind, parsed);
    return problem ? fail(problem) : { ok: true, ms: ms() };
  } catch (err) {
    const timeout = err instanceof Error && err.name === "TimeoutError";
    return fail(
      timeout
        ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s`
        : err instanceof Error
          ? err.message
          : String(err),
    );
  }
}

/**
 * Tests a link for real: text, stream, tool call, structured output and image, each a small request to the
 * provider. A capability the link has switched off is reported as skipped; `ok` is true when every probe
 * that ran passed.
 */
export async function testLink(d: AdminDeps, id: number) {
  const row = found(await d.storage.links.get(id), "model-provider", id);
  const provider = await d.storage.providers.get(row.provider_id);
  if (!provider) throw new GatewayError(404, "not_found", `provider ${row.provider_id} not found`);
  const link = toRouteLink(row, toRouteProvider(provider));
  const entries = await Promise.all(
    PROBE_KINDS.map(async (kind): Promise<[ProbeKind, ProbeResult]> => {
      const capability = CAPABILITY[kind];
      if (capability && !link.capabilities[capability]) return [kind, { ok: false, ms: 0, skipped: true }];
      return [kind, await probe(d, link, kind)];
    }),
  );
  const results = Object.fromEntries(entries) as Record<ProbeKind, ProbeResult>;
  return { ok: entries.every(([, r]) => r.ok || r.skipped === true), results };
}
