import { expect } from "bun:test";
import { type AppDeps, createApp, type GatewayRuntime } from "../../src/app";
import type { Config } from "../../src/config";
import { staticAdminToken } from "../../src/http/admin-token";
import { openDatabase } from "../../src/storage/db";
import { sqliteStorage } from "../../src/storage/sqlite";
import { modelProviders, models, providers } from "../../src/storage/repos";
import type { ModelProvider, Provider } from "../../src/storage/schema";
import { sha256Hex } from "../../src/core/secrets";
import { TEST_TOKEN, testConfig } from "./app";

export interface Gateway {
  url: string;
  db: ReturnType<typeof openDatabase>;
  runtime: GatewayRuntime;
  /** Answers a request in-process (no socket): for bulk requests where the socket is not the point. */
  handle(request: Request): Promise<Response>;
  stop(): Promise<void>;
  /** Adds a provider, a model (created if new) and a link between them; reloads routing. */
  link(spec: LinkSpec): { provider: Provider; link: ModelProvider };
  /** Waits until the recorder has written everything queued. */
  flush(): Promise<void>;
  /** Request logs, newest first. */
  logs(): Record<string, unknown>[];
}

export interface LinkSpec {
  model: string;
  provider: string;
  type: Provider["type"];
  baseUrl: string;
  providerModel: string;
  weight?: number;
  priority?: number;
  modelOptions?: {
    strategy?: "weighted" | "priority";
    max_attempts?: number;
    timeout_s?: number;
    breaker?: boolean;
  };
  link?: Partial<Omit<ModelProvider, "id" | "model_id" | "provider_id">>;
  providerOptions?: Partial<Omit<Provider, "id">>;
}

/**
 * A real gateway on 127.0.0.1 over an in-memory database with the real migrations, or over a database file
 * (`dbPath`), which gives it the writer and analytics threads of production.
 */
export function startGateway(
  opts: { config?: Partial<Config>; deps?: Partial<AppDeps>; dbPath?: string } = {},
): Gateway {
  const db = openDatabase(opts.dbPath ?? ":memory:");
  const app = createApp({
    storage: sqliteStorage(db),
    config: testConfig(opts.config),
    adminToken: staticAdminToken(TEST_TOKEN),
    ...opts.deps,
  });
  app.listen({ port: 0, hostname: "127.0.0.1", reusePort: false, idleTimeout: 0 });
  const runtime = app.decorator.gateway;
  const now = Date.now();
  return {
    url: `http://127.0.0.1:${app.server?.port}`,
    db,
    runtime,
    handle: (request) => app.handle(request),
    stop: async () => {
      await app.stop(true);
      await runtime.recorder.close();
      await runtime.analytics.close();
    },
    link(spec) {
      const provider =
        providers.all(db).find((p) => p.name === spec.provider) ??
        providers.insert(
          db,
          {
            name: spec.provider,
            type: spec.type,
            base_url: spec.baseUrl,
            api_key: `key-${spec.provider}`,
            ...spec.providerOptions,
          },
          now,
        );
      const model =
        models.all(db).find((m) => m.name === spec.model) ??
        models.insert(db, { name: spec.model, ...spec.modelOptions }, now);
      const link = modelProviders.insert(
        db,
        {
          model_id: model.id,
          provider_id: provider.id,
          provider_model: spec.providerModel,
          weight: spec.weight ?? 1,
          priority: spec.priority ?? 0,
          ...spec.link,
        },
        now,
      );
      runtime.reload();
      return { provider, link };
    },
    flush: () => runtime.recorder.drain(),
    logs: () => db.query("SELECT * FROM request_logs ORDER BY id DESC").all() as Record<string, unknown>[],
  };
}

export const AUTH = { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" };

/** Reads an SSE body into its `data:` payloads (and event names). */
export async function readSse(res: Response): Promise<{ event?: string; data: string }[]> {
  const text = await res.text();
  return text
    .split(/\r?\n\r?\n/)
    .filter((b) => b.trim())
    .map((block) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      return { event, data: data.join("\n") };
    });
}

export interface KeySpec {
  name?: string;
  /** The secret; a fresh `sk-llmio-…` when omitted. */
  key?: string;
  enabled?: boolean;
  /** A list of model names restricts the key to them; omitted, the key may use every model. */
  models?: string[];
  expiresAt?: number | null;
  ioLog?: boolean;
}

/** Inserts a client key into api_keys (hashed, as the admin API stores it) and reloads routing. */
export function addKey(gw: Gateway, spec: KeySpec = {}): { id: number; key: string } {
  const key = spec.key ?? `sk-llmio-${crypto.randomUUID().replaceAll("-", "")}`;
  const now = Date.now();
  const row = gw.db
    .query(
      `INSERT INTO api_keys (name, key_hash, key_prefix, enabled, allow_all, models, expires_at, io_log, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .get(
      spec.name ?? "test key",
      sha256Hex(key),
      key.slice(0, 12),
      spec.enabled === false ? 0 : 1,
      spec.models ? 0 : 1,
      JSON.stringify(spec.models ?? []),
      spec.expiresAt ?? null,
      spec.ioLog ? 1 : 0,
      now,
      now,
    ) as { id: number };
  gw.runtime.reload();
  return { id: row.id, key };
}

/** POSTs a JSON body (or a raw string) to the gateway with the admin token unless headers say otherwise. */
export function post(
  gw: Gateway,
  path: string,
  body: unknown,
  headers: Record<string, string> = AUTH,
): Promise<Response> {
  return fetch(gw.url + path, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** POSTs a one-message OpenAI chat completion for `model`; `extra` joins the body, `init` overrides the fetch options. */
export function chat(
  gw: Gateway,
  model: string,
  extra: Record<string, unknown> = {},
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: AUTH,
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], ...extra }),
    ...init,
  });
}

export type ClientStyle = Provider["type"];

/** The standard fixture: one model per protocol, each linked to a provider of that type on `baseUrl`. */
export const FOUR = {
  openai: { model: "gpt-x", provider: "oa", providerModel: "up-gpt" },
  "openai-responses": { model: "resp-x", provider: "or", providerModel: "up-resp" },
  anthropic: { model: "claude-x", provider: "an", providerModel: "up-claude" },
  gemini: { model: "gem-x", provider: "gm", providerModel: "up-gem" },
} as const satisfies Record<ClientStyle, { model: string; provider: string; providerModel: string }>;

/** Links the four standard models; `link` options apply to every link. */
export function linkFour(gw: Gateway, baseUrl: string, link: LinkSpec["link"] = {}): void {
  for (const [type, f] of Object.entries(FOUR) as [ClientStyle, (typeof FOUR)[ClientStyle]][]) {
    gw.link({ ...f, type, baseUrl, link });
  }
}

/** A minimal valid request of a protocol: the path (default prefix) and the body. */
export function minimalRequest(
  style: ClientStyle,
  model: string,
  stream: boolean,
  extra: Record<string, unknown> = {},
): { path: string; body: Record<string, unknown> } {
  const messages = [{ role: "user", content: "hi" }];
  switch (style) {
    case "openai":
      return { path: "/v1/chat/completions", body: { model, messages, stream, ...extra } };
    case "openai-responses":
      return { path: "/v1/responses", body: { model, input: "hi", stream, ...extra } };
    case "anthropic":
      return { path: "/v1/messages", body: { model, max_tokens: 16, messages, stream, ...extra } };
    case "gemini":
      return {
        path: `/v1beta/models/${model}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`,
        body: { contents: [{ role: "user", parts: [{ text: "hi" }] }], ...extra },
      };
  }
}

/**
 * Calls the keys admin API over HTTP with the admin token; asserts a 2xx and answers the JSON body.
 * `path` is relative to `/api/keys` ("" or "/:id" or "/:id/rotate").
 */
export async function keysApi(
  gw: Gateway,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, any>> {
  const res = await fetch(`${gw.url}/api/keys${path}`, {
    method,
    headers: AUTH,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as Record<string, any>;
}
