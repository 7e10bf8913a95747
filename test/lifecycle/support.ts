import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Child, startSourceGateway } from "../smoke/process";

export const ROOT = join(import.meta.dir, "..", "..");
export const TOKEN = "lifecycle-admin-token";
export const START_MS = 30_000;
const AUTH = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };

/** A gateway process (`bun src/index.ts`) over a database file in its own temporary folder. */
export interface GatewayProcess {
  child: Child;
  url: string;
  dir: string;
  dbPath: string;
  /** Every request_logs row, read straight from the database file. */
  logs(): Record<string, unknown>[];
  cleanup(): void;
}

/** Starts the gateway from source with exactly `env` (plus TOKEN, PORT=0, DB_PATH); resolves once it listens. */
export async function startProcess(
  env: Record<string, string> = {},
  dir = mkdtempSync(join(tmpdir(), "llmio-lifecycle-")),
): Promise<GatewayProcess> {
  const dbPath = join(dir, "llmio.db");
  const { child, url } = await startSourceGateway(dir, { TOKEN, DB_PATH: dbPath, ...env }, START_MS);
  return {
    child,
    url,
    dir,
    dbPath,
    logs() {
      const db = new Database(dbPath, { readonly: true });
      try {
        return db.query("SELECT * FROM request_logs ORDER BY id").all() as Record<string, unknown>[];
      } finally {
        db.close();
      }
    },
    cleanup() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function admin(url: string, path: string, body: unknown): Promise<{ id: number }> {
  const res = await fetch(url + path, { method: "POST", headers: AUTH, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: number };
}

/** Configures model `model` → OpenAI provider on `upstream` serving `providerModel`, through the admin API. */
export async function linkModel(url: string, upstream: string, model: string, providerModel: string) {
  const provider = await admin(url, "/api/providers", {
    name: `p-${model}`,
    type: "openai",
    base_url: upstream,
    api_key: "sk-upstream",
  });
  const m = await admin(url, "/api/models", { name: model });
  await admin(url, "/api/model-providers", {
    model_id: m.id,
    provider_id: provider.id,
    provider_model: providerModel,
  });
}

/** Starts a streamed chat call; resolves once its first bytes arrived, with a reader for the rest. */
export async function openStream(url: string, model: string) {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: AUTH,
    body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "hi" }] }),
  });
  if (res.status !== 200 || !res.body) throw new Error(`stream answered ${res.status}: ${await res.text()}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const first = await reader.read();
  if (!first.done) text += decoder.decode(first.value, { stream: true });
  return {
    /** Reads to the end; resolves with everything the client got. */
    async rest(): Promise<string> {
      for (;;) {
        const r = await reader.read();
        if (r.done) return text;
        text += decoder.decode(r.value, { stream: true });
      }
    },
  };
}

/** Polls `check` until it holds (a condition, not a fixed sleep); throws after `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

export { AUTH };
