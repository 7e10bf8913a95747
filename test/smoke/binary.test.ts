// The release artifact as a user runs it: dist/llmio copied alone into an empty folder, started there.
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, hasScript, newestMtime, ROOT } from "../../scripts/build";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { until } from "../helpers/until";
import { type Child, spawnChild, spawnOnFreePort } from "./process";

const TOKEN = "smoke-admin-token";
/** Room for a process start on a loaded machine; a start on a port taken meanwhile is tried again. */
const START_MS = 30_000;
/** An idle binary exits at once on SIGTERM; this only tells a hang (the 30 s default grace) from that. */
const STOP_MS = 15_000;
/** A real process on a loaded machine: each test gets its own time (a run without --timeout too). */
setDefaultTimeout(60_000);
const uiExpected = hasScript("build:ui");

/** Builds dist/llmio unless one newer than every source exists already. */
function ensureBinary(): void {
  const fresh =
    existsSync(BINARY) &&
    statSync(BINARY).mtimeMs > newestMtime(["src", "package.json", "package-lock.json", "scripts/build.ts"]);
  if (fresh) return;
  const build = Bun.spawnSync([process.execPath, "scripts/build.ts", "--ui-if-stale"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 240_000,
  });
  if (build.exitCode !== 0) {
    throw new Error(
      `build failed (${build.exitCode}):\n${build.stdout.toString()}${build.stderr.toString()}`,
    );
  }
}

/** An empty temporary folder holding only a copy of the binary. */
function folderWithBinary(): string {
  const dir = mkdtempSync(join(tmpdir(), "llmio-smoke-"));
  copyFileSync(BINARY, join(dir, "llmio"));
  return dir;
}

/** Nothing inherited from the test's environment except PATH, so no stray PORT or TOKEN leaks in. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmpdir(), ...extra };
}

function get(url: string, token?: string): Promise<Response> {
  return fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(20_000),
  });
}

const dirs: string[] = [];
const children: Child[] = [];

beforeAll(() => ensureBinary(), 240_000);

afterAll(() => {
  for (const c of children) c.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("binary started with TOKEN and --port in an empty folder", () => {
  let dir: string;
  let child: Child;
  let base: string;

  beforeAll(async () => {
    dir = folderWithBinary();
    dirs.push(dir);
    const started = await spawnOnFreePort(
      (port) => spawnChild([join(dir, "llmio"), "--port", String(port)], dir, cleanEnv({ TOKEN })),
      /listening on (http:\/\/\S+)/,
      /cannot listen on/,
      START_MS,
    );
    child = started.child;
    children.push(child);
    base = (started.match[1] as string).replace("localhost", "127.0.0.1");
    expect(base).toEndWith(`:${started.port}`);
  }, 3 * START_MS);

  it("creates db/llmio.db in its working folder", () => {
    expect(existsSync(join(dir, "db", "llmio.db"))).toBe(true);
  });

  it.skipIf(!uiExpected)("serves the web UI as HTML at /", async () => {
    const res = await get(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect((await res.text()).toLowerCase()).toContain("<html");
  });

  it("answers /api/providers with 401 without the token and 200 with it", async () => {
    expect((await get(`${base}/api/providers`)).status).toBe(401);
    const ok = await get(`${base}/api/providers`, TOKEN);
    expect(ok.status).toBe(200);
    expect(Array.isArray(await ok.json())).toBe(true);
  });

  it("serves the OpenAPI document as JSON", async () => {
    const res = await get(`${base}/openapi/json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const doc = (await res.json()) as { openapi?: string; paths?: Record<string, unknown> };
    expect(doc.openapi).toBeString();
    expect(Object.keys(doc.paths ?? {}).some((p) => p.startsWith("/api/providers"))).toBe(true);
  });

  it("records a proxied request through its writer thread, readable at /api/logs", async () => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "no-such-model", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(404);
    const trace = res.headers.get("x-request-id");
    let total = 0;
    await until(async () => {
      const logs = (await (await get(`${base}/api/logs?trace_id=${trace}`, TOKEN)).json()) as {
        total: number;
      };
      total = logs.total;
      return total > 0;
    }, "the record to be written");
    expect(total).toBe(1);
    // Today and yesterday: the one request counts even when midnight falls between it and this read.
    const use = (await (await get(`${base}/api/metrics/use/2`, TOKEN)).json()) as { reqs: number };
    expect(use.reqs).toBe(1);
    // Written by the writer thread and read by the analytics thread, not by a main-thread fallback.
    expect(child.output()).not.toContain("worker failed");
    expect(child.output()).not.toContain("analytics thread");
  });

  describe("translating (codecs loaded on first use, from inside the binary)", () => {
    let upstream: FakeUpstream;
    const admin = async (path: string, body: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: number };
    };
    const messages = (stream: boolean) =>
      fetch(`${base}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": TOKEN, "content-type": "application/json" },
        body: JSON.stringify({
          model: "smoke-x",
          max_tokens: 64,
          stream,
          messages: [{ role: "user", content: "hi" }],
        }),
        signal: AbortSignal.timeout(5_000),
      });

    beforeAll(async () => {
      upstream = startFakeUpstream();
      const provider = await admin("/api/providers", {
        name: "smoke-openai",
        type: "openai",
        base_url: upstream.url,
        api_key: "sk-smoke-upstream",
      });
      const model = await admin("/api/models", { name: "smoke-x" });
      await admin("/api/model-providers", {
        model_id: model.id,
        provider_id: provider.id,
        provider_model: "fake-chat",
      });
    });
    afterAll(() => upstream.stop());

    it("answers an Anthropic Messages call from an OpenAI chat link", async () => {
      const res = await messages(false);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-llmio-upstream-protocol")).toBe("openai");
      const body = (await res.json()) as { type: string; content: { type: string; text: string }[] };
      expect(body.type).toBe("message");
      expect(body.content[0]).toEqual({ type: "text", text: "Hello from the fake upstream!" });
      const seen = upstream.seen.at(-1);
      expect(seen?.path).toEndWith("/chat/completions");
      expect(seen?.model).toBe("fake-chat");
    });

    it("streams the translated answer as Messages events", async () => {
      const res = await messages(true);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toStartWith("event: message_start\n");
      expect(text).toContain("event: content_block_delta\n");
      expect(text.trimEnd()).toEndWith('data: {"type":"message_stop"}');
    });
  });

  it("exits with code 0 within a few seconds of SIGTERM, its writer thread closed cleanly", async () => {
    expect(await child.stop("SIGTERM", STOP_MS)).toBe(0);
    expect(child.output()).not.toMatch(/ERROR|Error/);
  });
});

describe("binary started without TOKEN beside a stray .env and bunfig.toml", () => {
  let dir: string;
  let child: Child;
  let port: number;

  beforeAll(async () => {
    dir = folderWithBinary();
    dirs.push(dir);
    // A compiled Bun binary would load both from its working folder unless built not to.
    writeFileSync(join(dir, ".env"), "PORT=1\nTOKEN=evil\n");
    writeFileSync(join(dir, "bunfig.toml"), 'preload = ["./evil.ts"]\n');
    writeFileSync(join(dir, "evil.ts"), 'console.log("EVIL PRELOAD RAN");\n');
    // The port comes from LLMIO_SERVER_PORT, which a PORT from .env would override if .env were read.
    const started = await spawnOnFreePort(
      (p) => {
        // A try on a taken port left a database (and its generated token) behind: start afresh.
        rmSync(join(dir, "db"), { recursive: true, force: true });
        return spawnChild([join(dir, "llmio")], dir, cleanEnv({ LLMIO_SERVER_PORT: String(p) }));
      },
      /Log in at \S+/,
      /cannot listen on/,
      START_MS,
    );
    child = started.child;
    port = started.port;
    children.push(child);
  }, 3 * START_MS);

  it("prints a generated admin token and the login URL", async () => {
    const out = child.output();
    expect(out).toContain("No TOKEN set");
    expect(out).toMatch(/^\s+llmio-\S{16,}$/m);
    expect(out).toContain(`Log in at http://localhost:${port}/login`);
  });

  it("ignores PORT and TOKEN from the stray .env", async () => {
    expect(child.output()).toContain(`listening on http://localhost:${port}`);
    expect((await get(`http://127.0.0.1:${port}/api/providers`, "evil")).status).toBe(401);
  });

  it("ignores the stray bunfig.toml (its preload never runs)", () => {
    expect(child.output()).not.toContain("EVIL PRELOAD RAN");
  });

  it("accepts the generated token it printed", async () => {
    const token = (/^\s+(llmio-\S+)$/m.exec(child.output()) as RegExpExecArray)[1] as string;
    expect((await get(`http://127.0.0.1:${port}/api/providers`, token)).status).toBe(200);
  });

  it("exits with code 0 within a few seconds of SIGTERM", async () => {
    expect(await child.stop("SIGTERM", STOP_MS)).toBe(0);
  });
});
