import { RoutingTable } from "../../routing";
import type { RouteLink, RouteModel, RouteProvider } from "../../routing/types";
import { USD_CNY_RATE_SETTING, usdCnyRateOf } from "../../core/money";
import type { ModelProvider, Provider } from "../../storage/schema";
import type { ConfigRepos } from "../../storage/storage";
import type { KeyLimits } from "./limits";

/** A client key as the proxy checks it (the admin token is checked separately). */
export interface ClientKey {
  id: number;
  name: string;
  enabled: boolean;
  allowAll: boolean;
  models: ReadonlySet<string>;
  expiresAt: number | null;
  ioLog: boolean;
  limits: KeyLimits;
}

/**
 * The configuration the hot path reads, built once from storage and swapped whole on every admin change:
 * the routing table (every enabled link serves clients of every protocol; translation bridges the
 * difference) and the client keys by hash.
 */
export interface ProxySnapshot {
  all: RoutingTable;
  keys: ReadonlyMap<string, ClientKey>;
}

function compileMatcher(source: string | null): RegExp | null {
  if (!source) return null;
  try {
    return new RegExp(source, "i");
  } catch {
    return null;
  }
}

/** A stored provider as the router sees it. */
export function toRouteProvider(p: Provider): RouteProvider {
  return {
    id: p.id,
    name: p.name,
    type: p.type,
    baseUrl: p.base_url,
    apiKey: p.api_key,
    anthropicVersion: p.anthropic_version,
    proxyUrl: p.proxy_url,
    errorMatcher: compileMatcher(p.error_matcher),
    headers: p.headers,
  };
}

/** A stored link (with its provider) as the router sees it. */
export function toRouteLink(l: ModelProvider, provider: RouteProvider): RouteLink {
  return {
    id: l.id,
    provider,
    providerModel: l.provider_model,
    weight: l.weight,
    priority: l.priority,
    capabilities: { tool_call: l.tool_call, structured_output: l.structured_output, image: l.image },
    withHeader: l.with_header,
    headers: l.headers,
    extraBody: l.extra_body,
    prices: {
      input: l.input_price,
      cached: l.cached_price,
      cacheWrite: l.cache_write_price,
      output: l.output_price,
      currency: l.currency,
    },
  };
}

/** Reads providers, models, links and keys into an immutable snapshot. */
export async function buildSnapshot(storage: ConfigRepos): Promise<ProxySnapshot> {
  const [storedProviders, storedLinks, storedModels, storedKeys] = await Promise.all([
    storage.providers.all(),
    storage.links.all(),
    storage.models.all(),
    storage.keys.forRouting(),
  ]);
  const provs = new Map<number, RouteProvider>();
  for (const p of storedProviders) {
    if (!p.enabled) continue;
    provs.set(p.id, toRouteProvider(p));
  }
  const linksByModel = new Map<number, RouteLink[]>();
  for (const l of storedLinks) {
    const provider = provs.get(l.provider_id);
    if (!l.enabled || !provider) continue;
    const list = linksByModel.get(l.model_id) ?? [];
    list.push(toRouteLink(l, provider));
    linksByModel.set(l.model_id, list);
  }
  const routeModels: RouteModel[] = storedModels.map((m) => ({
    id: m.id,
    name: m.name,
    strategy: m.strategy,
    maxAttempts: m.max_attempts,
    timeoutMs: m.timeout_s * 1000,
    breaker: m.breaker,
    links: linksByModel.get(m.id) ?? [],
    createdAt: m.created_at,
  }));

  const keys = new Map<string, ClientKey>();
  const rate = usdCnyRateOf(await storage.settings.get(USD_CNY_RATE_SETTING));
  for (const k of storedKeys) {
    keys.set(k.key_hash, {
      id: k.id,
      name: k.name,
      enabled: k.enabled,
      allowAll: k.allow_all,
      models: new Set(k.models),
      expiresAt: k.expires_at,
      ioLog: k.io_log,
      limits: {
        rpmLimit: k.rpm_limit,
        tpmLimit: k.tpm_limit,
        budget: k.budget,
        spent: k.spent,
        currency: k.currency,
        usdCnyRate: rate,
      },
    });
  }

  return {
    all: new RoutingTable(routeModels),
    keys,
  };
}

/** The snapshot of an empty configuration (before the first load). */
export const emptySnapshot = (): ProxySnapshot => ({ all: new RoutingTable([]), keys: new Map() });
