import { type AppDeps, createApp, type GatewayRuntime } from "../../src/app";
import type { Config } from "../../src/config";
import { staticAdminToken } from "../../src/http/admin-token";
import { openDatabase } from "../../src/storage/db";
import { modelProviders, models, providers } from "../../src/storage/repos";
import type { ModelProvider, Provider } from "../../src/storage/schema";
import { TEST_TOKEN, testConfig } from "./app";

export interface Gateway {
  url: string;
  db: ReturnType<typeof openDatabase>;
  runtime: GatewayRuntime;
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

/** A real gateway on 127.0.0.1 over an in-memory database with the real migrations. */
export function startGateway(opts: { config?: Partial<Config>; deps?: Partial<AppDeps> } = {}): Gateway {
  const db = openDatabase(":memory:");
  const app = createApp({
    db,
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
    stop: async () => {
      await app.stop(true);
      await runtime.recorder.drain();
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
