/**
 * The one module that talks to the server. It owns the admin token (localStorage `llmio.token`) and the
 * rule "any 401 → forget the token → go to /login". Reads throw `ApiError` (caught by the layout's
 * ErrorBoundary); writes return `{ ok, message }` so forms can show expected failures inline.
 */
import { treaty } from "@elysiajs/eden";
import { createSignal } from "solid-js";
import type { App } from "../../../src/app";

const TOKEN_KEY = "llmio.token";

const [token, setTokenSignal] = createSignal<string | null>(localStorage.getItem(TOKEN_KEY));

/** The stored admin token (reactive), or null when signed out. */
export { token };

export function setToken(value: string) {
  localStorage.setItem(TOKEN_KEY, value);
  setTokenSignal(value);
}

/** Forgets the token; the layout sees it and sends the user to /login. */
export function clearToken() {
  localStorage.removeItem(TOKEN_KEY);
  setTokenSignal(null);
}

const client = treaty<App>(location.origin, {
  headers: (): Record<string, string> => {
    const t = token();
    return t ? { authorization: `Bearer ${t}` } : {};
  },
});

/** An admin API failure: the server's message, status and the field at fault when it named one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type EdenResult<T> =
  | { data: T; error: null; status: number }
  | { data: null; error: { status: unknown; value: unknown }; status: number };

interface ErrorBody {
  error?: { code?: string; message?: string; field?: string };
}

function toApiError(status: number, value: unknown): ApiError {
  const body = (typeof value === "object" && value ? value : {}) as ErrorBody;
  const message =
    body.error?.message ?? (typeof value === "string" && value ? value : `HTTP ${status || "error"}`);
  return new ApiError(message, status, body.error?.field);
}

/** Runs one request; a 401 signs the user out unless `signOutOn401` is false (the login check). */
async function call<T>(request: () => Promise<EdenResult<T>>, signOutOn401 = true): Promise<T> {
  let res: EdenResult<T>;
  try {
    res = await request();
  } catch (err) {
    throw new ApiError(err instanceof Error ? err.message : String(err), 0);
  }
  if (res.error) {
    if (res.status === 401 && signOutOn401) clearToken();
    throw toApiError(res.status, res.error.value);
  }
  return res.data as T;
}

/** What a write returns: success with the server's answer, or the message to show. */
export type Result<T = unknown> =
  | { ok: true; data: T; message?: undefined }
  | { ok: false; message: string; field?: string; status: number };

async function act<T>(request: () => Promise<EdenResult<T>>, signOutOn401 = true): Promise<Result<T>> {
  try {
    return { ok: true, data: await call(request, signOutOn401) };
  } catch (err) {
    const e = err instanceof ApiError ? err : new ApiError(String(err), 0);
    return { ok: false, message: e.message, field: e.field, status: e.status };
  }
}

type ProvidersApi = typeof client.api.providers;
type ModelsApi = typeof client.api.models;
type LinksApi = (typeof client.api)["model-providers"];

export type Provider = NonNullable<Awaited<ReturnType<ProvidersApi["get"]>>["data"]>[number];
export type Model = NonNullable<Awaited<ReturnType<ModelsApi["get"]>>["data"]>[number];
export type ModelProvider = NonNullable<Awaited<ReturnType<LinksApi["get"]>>["data"]>[number];
export type ProviderInput = Parameters<ProvidersApi["post"]>[0];
export type ProviderPatch = Parameters<ReturnType<ProvidersApi>["put"]>[0];
export type ModelInput = Parameters<ModelsApi["post"]>[0];
export type ModelPatch = Parameters<ReturnType<ModelsApi>["put"]>[0];
export type LinkInput = Parameters<LinksApi["post"]>[0];
export type LinkPatch = Parameters<ReturnType<LinksApi>["put"]>[0];
export type ProviderType = Provider["type"];
export type Strategy = Model["strategy"];
export type Currency = ModelProvider["currency"];
/** `POST /api/model-providers/:id/test`: five small real requests to the provider, one per probe. */
export type LinkTestReport = NonNullable<Awaited<ReturnType<ReturnType<LinksApi>["test"]["post"]>>["data"]>;
export type ProbeKind = keyof LinkTestReport["results"];
export type ProbeResult = LinkTestReport["results"][ProbeKind];

type KeysApi = typeof client.api.keys;
/** A client key as reads show it (`key_prefix`, never the key); `expires_at` is ISO (Eden may hand a Date). */
export type ApiKey = NonNullable<Awaited<ReturnType<KeysApi["get"]>>["data"]>[number];
export type ApiKeyInput = Parameters<KeysApi["post"]>[0];
export type ApiKeyPatch = Parameters<ReturnType<KeysApi>["put"]>[0];
/** The answer of create and rotate: the key with its full secret, shown this once. */
export type ApiKeyWithSecret = NonNullable<Awaited<ReturnType<KeysApi["post"]>>["data"]>;

type HealthApi = typeof client.api.health;
/** `GET /api/health`: live link health (breakers, cooldowns) and the record writer's counters. */
export type HealthReport = NonNullable<Awaited<ReturnType<HealthApi["get"]>>["data"]>;
export type LinkHealth = HealthReport["links"][number];
export type BreakerState = LinkHealth["breaker"];

type LogsApi = typeof client.api.logs;
/** `GET /api/logs`: one page of request records, newest first. */
export type LogPage = NonNullable<Awaited<ReturnType<LogsApi["get"]>>["data"]>;
/** One request record (times in epoch ms, durations in ms). */
export type LogEntry = LogPage["data"][number];
export type LogStatus = LogEntry["status"];
/** `GET /api/logs/:id`: the record plus the bodies kept when the key has IO logging on. */
export type LogDetail = NonNullable<Awaited<ReturnType<ReturnType<LogsApi>["get"]>>["data"]>;

export type LogQuery = NonNullable<Parameters<typeof client.api.logs.get>[0]>["query"];

type MetricsApi = typeof client.api.metrics;
/** `GET /api/metrics/use/:days`: totals since local midnight `days - 1` days ago (1 = today). */
export type UsageTotals = NonNullable<Awaited<ReturnType<ReturnType<MetricsApi["use"]>["get"]>>["data"]>;
/** Money summed per currency (records in different currencies are never added together). */
export type CostAmount = UsageTotals["cost"][number];
/** `GET /api/metrics/counts`: calls and tokens per model, most called first. */
export type ModelCount = NonNullable<Awaited<ReturnType<MetricsApi["counts"]["get"]>>["data"]>[number];
/** `GET /api/metrics/series`: one time bucket (empty ones come as zeros). */
export type SeriesPoint = NonNullable<Awaited<ReturnType<MetricsApi["series"]["get"]>>["data"]>[number];
export type SeriesBucket = NonNullable<
  NonNullable<Parameters<MetricsApi["series"]["get"]>[0]>["query"]
>["bucket"];
/** `GET /api/metrics/providers`: figures per provider that answered. */
export type ProviderFigures = NonNullable<
  Awaited<ReturnType<MetricsApi["providers"]["get"]>>["data"]
>[number];

/** This browser's offset east of UTC in minutes, so "today" starts at the user's own midnight. */
const tzOffsetMin = () => -new Date().getTimezoneOffset();

export const LOG_STATUSES: LogStatus[] = ["success", "error", "cancelled"];
export const PROVIDER_TYPES: ProviderType[] = ["openai", "openai-responses", "anthropic", "gemini"];
export const STRATEGIES: Strategy[] = ["weighted", "priority"];
export const CURRENCIES: Currency[] = ["USD", "CNY"];
export const PROBE_KINDS: ProbeKind[] = ["text", "stream", "tool_call", "structured_output", "image"];

export const api = {
  /** Checks a candidate token without storing it: true when the server accepts it. */
  async checkToken(candidate: string): Promise<Result<true>> {
    // The candidate overrides the stored token for this call; a wrong one must not sign anyone out.
    const res = await act(
      () => client.api.auth.check.get({ headers: { authorization: `Bearer ${candidate}` } }),
      false,
    );
    return res.ok ? { ok: true, data: true } : res;
  },

  providers: {
    list: () => call(() => client.api.providers.get()),
    create: (body: ProviderInput) => act(() => client.api.providers.post(body)),
    update: (id: number, body: ProviderPatch) => act(() => client.api.providers({ id }).put(body)),
    remove: (id: number) => act(() => client.api.providers({ id }).delete()),
    upstreamModels: (id: number) => act(() => client.api.providers({ id }).models.get()),
  },

  models: {
    list: () => call(() => client.api.models.get()),
    create: (body: ModelInput) => act(() => client.api.models.post(body)),
    update: (id: number, body: ModelPatch) => act(() => client.api.models({ id }).put(body)),
    remove: (id: number) => act(() => client.api.models({ id }).delete()),
  },

  links: {
    list: (modelId: number) =>
      call(() => client.api["model-providers"].get({ query: { model_id: modelId } })),
    create: (body: LinkInput) => act(() => client.api["model-providers"].post(body)),
    update: (id: number, body: LinkPatch) => act(() => client.api["model-providers"]({ id }).put(body)),
    remove: (id: number) => act(() => client.api["model-providers"]({ id }).delete()),
    /** Tests a link for real; takes seconds (each probe is a request to the provider). */
    test: (id: number) => act(() => client.api["model-providers"]({ id }).test.post()),
  },

  keys: {
    list: () => call(() => client.api.keys.get()),
    create: (body: ApiKeyInput) => act(() => client.api.keys.post(body)),
    update: (id: number, body: ApiKeyPatch) => act(() => client.api.keys({ id }).put(body)),
    rotate: (id: number) => act(() => client.api.keys({ id }).rotate.post()),
    remove: (id: number) => act(() => client.api.keys({ id }).delete()),
    /** The CNY-per-USD rate that converts costs into a key's currency (budgets are in it). */
    exchangeRate: () => call(() => client.api.keys["exchange-rate"].get()),
    setExchangeRate: (usd_cny_rate: number) =>
      act(() => client.api.keys["exchange-rate"].put({ usd_cny_rate })),
  },

  logs: {
    list: (query: LogQuery) => call(() => client.api.logs.get({ query })),
    get: (id: number) => call(() => client.api.logs({ id }).get()),
  },

  health: () => call(() => client.api.health.get()),

  metrics: {
    use: (days: number) =>
      call(() =>
        client.api.metrics.use({ days: String(days) }).get({ query: { tz_offset_min: tzOffsetMin() } }),
      ),
    counts: (days: number) =>
      call(() => client.api.metrics.counts.get({ query: { days, tz_offset_min: tzOffsetMin() } })),
    series: (bucket: NonNullable<SeriesBucket>, days: number) =>
      call(() => client.api.metrics.series.get({ query: { bucket, days, tz_offset_min: tzOffsetMin() } })),
    providers: (days: number) =>
      call(() => client.api.metrics.providers.get({ query: { days, tz_offset_min: tzOffsetMin() } })),
  },
};

/* ── Quickstart, settings, bulk mapping, latency, version ─────────────────────────────────────── */

type SettingsApi = typeof client.api.settings;
/** `GET /api/settings`: the log retention window, its last run, and whether the admin token can be reset. */
export type Settings = NonNullable<Awaited<ReturnType<SettingsApi["get"]>>["data"]>;
export type RetentionRun = NonNullable<Settings["log_retention_last_run"]>;
type BulkApi = (typeof client.api)["model-providers"]["bulk"];
export type BulkInput = Parameters<BulkApi["post"]>[0];
/** `POST /api/model-providers/bulk`: what was created and what was already linked. */
export type BulkResult = NonNullable<Awaited<ReturnType<BulkApi["post"]>>["data"]>;
/** `GET /api/metrics/latency`: p50/p95 latency, time to first token and errors per model and provider. */
export type LatencyReport = NonNullable<Awaited<ReturnType<typeof client.api.metrics.latency.get>>["data"]>;
export type LatencyGroup = LatencyReport["models"][number];
type ImportApi = typeof client.api.import;
export type ImportDocument = Parameters<ImportApi["post"]>[0];
export type ImportMode = "merge" | "replace";
/** What an import did: created and updated counts per kind, and what it skipped and why. */
export type ImportResult = NonNullable<Awaited<ReturnType<ImportApi["post"]>>["data"]>;

export const pagesApi = {
  version: () => call(() => client.api.version.get()),

  settings: {
    get: () => call(() => client.api.settings.get()),
    setRetention: (days: number) => act(() => client.api.settings.put({ log_retention_days: days })),
    runRetention: () => act(() => client.api.settings.retention.run.post()),
    /** A new admin token, shown once; this browser signs in with it at once. */
    async resetToken(): Promise<Result<string>> {
      const res = await act(() => client.api.settings.token.reset.post());
      if (!res.ok) return res;
      const next = "token" in res.data ? res.data.token : "";
      setToken(next);
      return { ok: true, data: next };
    },
  },

  transfer: {
    exportConfig: (includeSecrets: boolean) =>
      act(() => client.api.export.get({ query: { include_secrets: includeSecrets } })),
    importConfig: (doc: ImportDocument, mode: ImportMode) =>
      act(() => client.api.import.post(doc, { query: { mode } })),
    /** Uploads an original llmio SQLite file as the raw body (Eden would wrap a file in a form). */
    async importLlmio(file: Blob): Promise<Result<ImportResult>> {
      try {
        const res = await fetch("/api/import/llmio", {
          method: "POST",
          headers: { authorization: `Bearer ${token() ?? ""}`, "content-type": "application/octet-stream" },
          body: file,
        });
        const body: unknown = await res.json().catch(() => null);
        if (res.ok) return { ok: true, data: body as ImportResult };
        if (res.status === 401) clearToken();
        const e = toApiError(res.status, body);
        return { ok: false, message: e.message, field: e.field, status: res.status };
      } catch (err) {
        return { ok: false, message: err instanceof Error ? err.message : String(err), status: 0 };
      }
    },
  },

  bulkLink: (body: BulkInput) => act(() => client.api["model-providers"].bulk.post(body)),

  latency: (hours: number) => call(() => client.api.metrics.latency.get({ query: { hours } })),
};
