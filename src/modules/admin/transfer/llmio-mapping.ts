import type { Database } from "bun:sqlite";
import { GatewayError } from "../../../core/errors";
import { isHttpUrl } from "../../../providers/base-url";
import { liveRows, tableNames } from "../../../storage/llmio-source";
import type { Currency, ProviderType } from "../../../storage/schema";
import type { ImportPlan } from "./apply";
import type { ImportLink, ImportModel, ImportProvider, Skipped } from "./model";

/**
 * How the original llmio (Go, GORM) stores its configuration, read column by column so that older
 * schemas (without strategy, image, prices, auth_keys …) map too:
 * - providers(name, type, config JSON {base_url, api_key, version}, console, proxy, error_matcher)
 * - models(name, remark, max_retry, time_out, strategy, breaker, display_order)
 * - model_with_providers(model_id, provider_id, provider_model, tool_call, structured_output, image,
 *   with_header, status, customer_headers JSON, extra_body JSON, weight, input_price, cache_read_price,
 *   output_price, currency)
 * - auth_keys(name, key in the clear, status, io_log, allow_all, models JSON, expires_at)
 * Every table soft-deletes through deleted_at.
 */

const TYPES: Record<string, ProviderType> = {
  openai: "openai",
  "openai-res": "openai-responses",
  openai_res: "openai-responses",
  anthropic: "anthropic",
  gemini: "gemini",
};

// Fields the gateway sets itself; a link's extra_body may not (see the links service).
const RESERVED_EXTRA = ["model", "messages", "stream", "contents", "input"];

const rows = liveRows;

const text = (v: unknown): string => (typeof v === "string" ? v.trim() : "");
const int = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : typeof v === "bigint" ? Number(v) : undefined;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
// GORM's *bool: NULL means "never set", which the original reads as its default.
const flag = (v: unknown, fallback: boolean): boolean =>
  v === null || v === undefined ? fallback : v === 1 || v === true || v === "1" || v === "true";
const price = (v: unknown) => (typeof v === "number" && v > 0 ? v : 0);

function json(v: unknown): unknown {
  if (typeof v !== "string" || !v.trim()) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** GORM writes times as `2006-01-02 15:04:05.999999999-07:00`; Date.parse wants a `T` and ≤ 3 decimals. */
function parseTime(v: unknown): number | null | undefined {
  if (v === null || v === undefined || v === "") return null;
  if (typeof v === "number") return v;
  const iso = String(v)
    .trim()
    .replace(" ", "T")
    .replace(/(\.\d{3})\d+/, "$1");
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Reads an original llmio database into an import plan, with what could not be carried over. */
export function mapLlmio(db: Database): ImportPlan {
  const tables = tableNames(db);
  for (const t of ["providers", "models", "model_with_providers"])
    if (!tables.has(t))
      throw new GatewayError(422, "validation", `not an llmio database: no ${t} table`, "body");

  const skipped: Skipped[] = [];
  const skip = (item: string, reason: string) => skipped.push({ item, reason });
  const plan: ImportPlan = { providers: [], models: [], links: [], keys: [], skipped };

  const providerNames = new Map<number, string>();
  const takenProviders = new Set<string>();
  for (const r of rows(db, "providers")) {
    const at = `providers#${r.id}`;
    let name = text(r.name);
    const type = TYPES[text(r.type)];
    const config = json(r.config);
    if (!name) {
      skip(at, "no name");
      continue;
    }
    if (!type) {
      skip(at, `type "${text(r.type)}" has no equivalent`);
      continue;
    }
    if (!isObject(config) || !isHttpUrl(text(config.base_url))) {
      skip(at, "config holds no http(s) base_url");
      continue;
    }
    // The original does not keep names unique; ours must.
    if (takenProviders.has(name)) name = `${name} #${r.id}`;
    takenProviders.add(name);
    providerNames.set(Number(r.id), name);
    const provider: ImportProvider = {
      name,
      type,
      base_url: text(config.base_url),
      api_key: text(config.api_key),
      anthropic_version: type === "anthropic" && text(config.version) ? text(config.version) : null,
    };
    const consoleUrl = text(r.console);
    if (consoleUrl && isHttpUrl(consoleUrl)) provider.console_url = consoleUrl;
    else if (consoleUrl) skip(`${at}.console`, "not an http(s) URL; left out");
    const proxy = text(r.proxy);
    if (/^(https?|socks5h?):\/\//.test(proxy)) provider.proxy_url = proxy;
    else if (proxy) skip(`${at}.proxy`, "not an http(s) or socks5 URL; left out");
    // The original's matcher is substrings, one per line or separated by ";"; ours is one regular expression.
    const needles = text(r.error_matcher)
      .split(/[\n;]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (needles.length) provider.error_matcher = needles.map(escapeRegExp).join("|");
    plan.providers.push({ at, value: provider });
  }

  const modelNames = new Map<number, string>();
  for (const r of rows(db, "models")) {
    const at = `models#${r.id}`;
    const name = text(r.name);
    if (!name) {
      skip(at, "no name");
      continue;
    }
    modelNames.set(Number(r.id), name);
    if (plan.models.some((m) => m.value.name === name)) {
      skip(at, `a model named "${name}" came first; its links join that one`);
      continue;
    }
    const strategy = text(r.strategy);
    if (strategy && strategy !== "lottery")
      skip(`${at}.strategy`, `"${strategy}" has no equivalent; weighted is used`);
    const retries = int(r.max_retry);
    const timeout = int(r.time_out);
    const order = int(r.display_order) ?? 0;
    const model: ImportModel = {
      name,
      remark: text(r.remark),
      strategy: "weighted",
      max_attempts: retries && retries > 0 ? clamp(retries, 1, 20) : 3,
      timeout_s: timeout && timeout > 0 ? clamp(timeout, 1, 3600) : 60,
      breaker: flag(r.breaker, true),
      // The original lists larger numbers first; ours lists smaller ones first.
      display_order: order === 0 ? 0 : -order,
    };
    plan.models.push({ at, value: model });
  }

  const links = new Set<string>();
  for (const r of rows(db, "model_with_providers")) {
    const at = `model_with_providers#${r.id}`;
    const model = modelNames.get(Number(r.model_id));
    const provider = providerNames.get(Number(r.provider_id));
    const providerModel = text(r.provider_model);
    if (!model) {
      skip(at, `model ${r.model_id} was not imported`);
      continue;
    }
    if (!provider) {
      skip(at, `provider ${r.provider_id} was not imported`);
      continue;
    }
    if (!providerModel) {
      skip(at, "no provider_model");
      continue;
    }
    const identity = JSON.stringify([model, provider, providerModel]);
    if (links.has(identity)) {
      skip(at, "the same link came first");
      continue;
    }
    links.add(identity);
    const headers = json(r.customer_headers);
    const extra = json(r.extra_body);
    const extraBody: Record<string, unknown> = {};
    if (isObject(extra))
      for (const [k, v] of Object.entries(extra)) {
        if (RESERVED_EXTRA.includes(k)) skip(`${at}.extra_body.${k}`, "set by the gateway itself; left out");
        else extraBody[k] = v;
      }
    if (flag(r.backup, false))
      skip(`${at}.backup`, "backup links have no equivalent; imported as a normal link");
    const currency: Currency = text(r.currency).toUpperCase() === "CNY" ? "CNY" : "USD";
    const link: ImportLink = {
      model,
      provider,
      provider_model: providerModel,
      weight: clamp(int(r.weight) ?? 1, 0, 1_000_000),
      tool_call: flag(r.tool_call, true),
      structured_output: flag(r.structured_output, true),
      image: flag(r.image, true),
      with_header: flag(r.with_header, false),
      enabled: flag(r.status, true),
      headers: isObject(headers)
        ? Object.fromEntries(
            Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === "string"),
          )
        : {},
      extra_body: extraBody,
      input_price: price(r.input_price),
      cached_price: price(r.cache_read_price),
      output_price: price(r.output_price),
      currency,
    };
    plan.links.push({ at, value: link });
  }

  // The original keeps client keys in the clear, so they can be hashed here and keep working.
  for (const r of tables.has("auth_keys") ? rows(db, "auth_keys") : []) {
    const at = `auth_keys#${r.id}`;
    const key = text(r.key);
    const expires = parseTime(r.expires_at);
    if (!key) {
      skip(at, "no key");
      continue;
    }
    if (expires === undefined) {
      skip(at, `expires_at "${r.expires_at}" is not a time`);
      continue;
    }
    const allowed = json(r.models);
    plan.keys.push({
      at,
      value: {
        key,
        columns: {
          name: text(r.name) || `imported key ${r.id}`,
          enabled: flag(r.status, true),
          allow_all: flag(r.allow_all, true),
          models: Array.isArray(allowed) ? allowed.filter((m): m is string => typeof m === "string") : [],
          expires_at: expires,
          rpm_limit: null,
          tpm_limit: null,
          budget: null,
          currency: "USD",
          io_log: flag(r.io_log, false),
        },
      },
    });
  }
  return plan;
}
