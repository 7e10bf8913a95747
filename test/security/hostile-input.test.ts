/**
 * Hostile input: 10,000+ generated malformed or hostile requests (a seeded PRNG, so every run sends the
 * same ones) across the four proxy protocols and the admin API. Each must be a clear 4xx with a JSON error
 * body; none a 5xx or a crash; RSS stays bounded; and a well-formed request sent alongside, back to back
 * over a real socket, is answered every time in normal time. Bulk goes through app.handle(); a subset,
 * and the malformed-HTTP cases, over real sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { connect } from "node:net";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, addKey, chat, FOUR, type Gateway, linkFour, startGateway } from "../helpers/gateway";
import { TEST_TOKEN } from "../helpers/app";
import { cpuMsSince } from "../helpers/cpu";
import { seededRandom } from "../../src/core/clock";

const TOTAL = 10_000;
const BODY_LIMIT = 64 * 1024;
const MiB = 1024 * 1024;

/** Generators over a seeded PRNG (core/clock mulberry32), so the generated inputs are the same on every run. */
function prng(seed: number) {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-_./:%?#&=+ \\\"'{}[]<>\r\n\t\u0000é漢🙂\u202e";
  const text = (max: number) => Array.from({ length: 1 + int(max) }, () => pick([...ALPHABET])).join("");
  return { next, int, pick, text };
}
type Rng = ReturnType<typeof prng>;

interface Case {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

const CLIENT = { "content-type": "application/json" };
const json = (v: unknown) => JSON.stringify(v);
const nest = (depth: number, open = "[", close = "]") => `${open.repeat(depth)}${close.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
const WRONG_VALUES: unknown[] = [null, 0, -1, 1.5, 1e308, true, "", "x", [], [1, "a"], {}, { a: { b: 1 } }];
const PROTOCOL_PATHS = ["/v1/chat/completions", "/v1/messages", "/v1/responses"] as const;
const INVALID_UTF8 = [0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf8, 0x88];

/** A body of a known-good shape for each protocol path (the model may be swapped). */
function shapeFor(path: string, model: string): Record<string, unknown> {
  const messages = [{ role: "user", content: "hi" }];
  if (path.endsWith("/messages")) return { model, max_tokens: 8, messages };
  if (path.endsWith("/responses")) return { model, input: "hi" };
  if (path.startsWith("/v1beta")) return { contents: [{ role: "user", parts: [{ text: "hi" }] }] };
  return { model, messages };
}

/** Model names no one configured: random text, CRLF header injection, path tricks, very long. */
function hostileModel(r: Rng): string {
  return r.pick([
    () => `rnd-${r.text(40)}`,
    () => `x\r\nX-Injected: yes\r\n\r\n${r.text(10)}`,
    () => `../../api/providers${r.int(1000)}`,
    () => `%00${r.text(8)}%2F..`,
    () => `m${"z".repeat(2000 + r.int(8000))}`,
    () => `gpt-x${r.text(3)}`,
  ])();
}

/** Mutations of a request to one protocol that the gateway itself must refuse before any upstream call. */
const proxyMutations: ((r: Rng, path: string, model: string) => Case)[] = [
  // Wrong types in the fields the gateway checks.
  (r, path, model) => {
    const body = shapeFor(path, model);
    const gemini = path.startsWith("/v1beta");
    const field = r.pick(gemini ? ["contents"] : ["model", "content", "stream"]);
    if (field === "contents") body.contents = r.pick([42, "hi", { a: 1 }, [5], null, [{ parts: 5 }]]);
    else if (field === "model") body.model = r.pick([0, [], {}, false, "", null]);
    else if (field === "stream") body.stream = r.pick(["yes", 1, [], {}]);
    else if (path.endsWith("/responses")) body.input = r.pick([42, true, { a: 1 }]);
    else body.messages = r.pick([42, "hi", { a: 1 }, null, [5], [{ role: 5, content: "x" }]]);
    return { kind: "proxy wrong type", method: "POST", path, headers: AUTH, body: json(body) };
  },
  // Random (unconfigured) model names, with unknown fields for good measure.
  (r, path) => {
    const model = hostileModel(r);
    const body = { ...shapeFor(path, model), [`x_${r.text(6)}`]: r.pick(WRONG_VALUES) };
    const p = path.startsWith("/v1beta")
      ? `/v1beta/models/${encodeURIComponent(model)}:generateContent`
      : path;
    return { kind: "proxy unknown model", method: "POST", path: p, headers: AUTH, body: json(body) };
  },
  // Not JSON: truncated, garbage, empty, non-object.
  (r, path, model) => {
    const good = json(shapeFor(path, model));
    const body = r.pick([
      () => good.slice(0, 1 + r.int(good.length - 2)),
      () => r.text(200),
      () => "",
      () => r.pick(["null", "[]", "[1,2]", '"str"', "123", "true", "{", "}", "{]", '{"model":}']),
      () => `${good}${r.pick(["}", ",", "x", "]"])}`,
    ])();
    return { kind: "proxy malformed JSON", method: "POST", path, headers: AUTH, body };
  },
  // Invalid UTF-8 bytes where JSON structure is expected.
  (r, path) => {
    const bytes = new Uint8Array(20 + r.int(100)).map(() => r.pick(INVALID_UTF8));
    bytes[0] = r.pick([0x7b, 0xff]);
    return { kind: "proxy invalid UTF-8", method: "POST", path, headers: AUTH, body: bytes };
  },
  // Nested past the depth limit, in a field the gateway reads or one it only forwards.
  (r, path, model) => {
    const deep = r.next() < 0.5 ? nest(257 + r.int(20_000)) : deepObject(257 + r.int(3000));
    const good = json(shapeFor(path, model));
    const body = `${good.slice(0, -1)},"${r.pick(["metadata", "tools", "x"])}":${deep}}`;
    return { kind: "proxy deep JSON", method: "POST", path, headers: AUTH, body };
  },
  // Over the body limit.
  (r, path, model) => {
    const pad = "a".repeat(BODY_LIMIT + 1 + r.int(4096));
    const body = json({ ...shapeFor(path, model), padding: pad });
    return { kind: "proxy oversize", method: "POST", path, headers: AUTH, body };
  },
  // No key, a wrong key, a key in the wrong header.
  (r, path, model) => {
    const headers = r.pick([
      CLIENT,
      { ...CLIENT, authorization: `Bearer sk-llmio-${r.text(20).replace(/[^\w]/g, "x")}` },
      { ...CLIENT, authorization: "Bearer " },
      { ...CLIENT, "x-api-key": "wrong" },
      { ...CLIENT, "x-goog-api-key": `${TEST_TOKEN}x` },
    ]);
    return { kind: "proxy bad key", method: "POST", path, headers, body: json(shapeFor(path, model)) };
  },
  // Path tricks around the protocol routes.
  (r, _path, model) => {
    const path = r.pick([
      `/v1beta/models/${model}:${r.pick(["noSuchOp", "generateContent/extra", ""])}`,
      `/v1beta/models/..%2F..%2Fapi%2Fproviders:generateContent`,
      `/v1/chat/completions%00`,
      `/v1/chat/completions/${r.text(5).replace(/[#?]/g, "")}x`,
      `/v2/chat/completions`,
      `/v1/${"a/".repeat(200 + r.int(200))}`,
      `/v1//messages`,
    ]);
    return {
      kind: "proxy path trick",
      method: "POST",
      path,
      headers: AUTH,
      body: json(shapeFor("/v1beta", model)),
    };
  },
];

/** The admin routes that take a body, with a valid body and the kind of each field. */
const ADMIN_BODIES: [
  string,
  string,
  Record<string, unknown>,
  Record<string, "string" | "int" | "bool" | "map" | "object" | "list">,
][] = [
  [
    "POST",
    "/api/providers",
    { name: "p", type: "openai", base_url: "https://x.example", api_key: "k" },
    {
      name: "string",
      type: "string",
      base_url: "string",
      api_key: "string",
      headers: "map",
      enabled: "bool",
      proxy_url: "string",
    },
  ],
  [
    "PUT",
    "/api/providers/1",
    { enabled: false },
    { name: "string", base_url: "string", headers: "map", enabled: "bool" },
  ],
  [
    "POST",
    "/api/models",
    { name: "m" },
    { name: "string", remark: "string", max_attempts: "int", timeout_s: "int", breaker: "bool" },
  ],
  [
    "PUT",
    "/api/models/1",
    { remark: "r" },
    { remark: "string", strategy: "string", max_attempts: "int", breaker: "bool" },
  ],
  [
    "POST",
    "/api/model-providers",
    { model_id: 1, provider_id: 1, provider_model: "x" },
    {
      model_id: "int",
      provider_id: "int",
      provider_model: "string",
      weight: "int",
      headers: "map",
      extra_body: "object",
      tool_call: "bool",
    },
  ],
  [
    "PUT",
    "/api/model-providers/1",
    { weight: 2 },
    { weight: "int", priority: "int", headers: "map", extra_body: "object", enabled: "bool" },
  ],
  [
    "POST",
    "/api/keys",
    { name: "k" },
    { name: "string", models: "list", rpm_limit: "int", io_log: "bool", allow_all: "bool" },
  ],
  [
    "PUT",
    "/api/keys/1",
    { name: "k" },
    { name: "string", models: "list", tpm_limit: "int", enabled: "bool" },
  ],
  [
    "POST",
    "/api/import",
    { version: 1 },
    { version: "int", providers: "list", models: "list", model_providers: "list" },
  ],
];

/**
 * A value that is not of the field's kind (strings also get too-long ones). Numeric strings are left out
 * for integers: Elysia's t.Integer accepts "12" and decodes it to 12 by design.
 */
function wrongValue(r: Rng, kind: string): unknown {
  const byKind: Record<string, unknown[]> = {
    string: [0, true, [], {}, "s".repeat(200_001)],
    int: ["x", "1.5", 1.5, true, [], {}],
    bool: ["true", 0, 1, [], {}, null],
    map: ["x", 5, [1], { a: 1 }, { a: { b: "c" } }, true],
    object: ["x", 5, [1], true],
    list: ["x", 5, { a: 1 }, true, [1, 2, 3].map(() => r.int(9))],
  };
  return r.pick(byKind[kind] ?? WRONG_VALUES);
}

const ADMIN = AUTH;

const adminMutations: ((r: Rng, clientKey: string) => Case)[] = [
  // Wrong types, field by field.
  (r) => {
    const [method, path, valid, fields] = r.pick(ADMIN_BODIES);
    const field = r.pick(Object.keys(fields));
    const body = { ...valid, [field]: wrongValue(r, fields[field] as string) };
    return { kind: "admin wrong type", method, path, headers: ADMIN, body: json(body) };
  },
  // Unknown fields, at the top or inside an import item.
  (r) => {
    const [method, path, valid] = r.pick(ADMIN_BODIES);
    const name = `x_${r.text(8)}`;
    const body =
      path === "/api/import" && r.next() < 0.5
        ? { version: 1, models: [{ name: `m${r.int(1e6)}`, [name]: 1 }] }
        : { ...valid, [name]: r.pick(WRONG_VALUES) };
    return { kind: "admin unknown field", method, path, headers: ADMIN, body: json(body) };
  },
  // Deeply nested, in a known field.
  (r) => {
    const [method, path, valid, fields] = r.pick(ADMIN_BODIES);
    const field = r.pick(Object.keys(fields));
    const deep = r.next() < 0.5 ? nest(257 + r.int(20_000)) : deepObject(257 + r.int(3000));
    const body = `${json(valid).slice(0, -1)},"${field}":${deep}}`.replace("{,", "{");
    return { kind: "admin deep JSON", method, path, headers: ADMIN, body };
  },
  // Not JSON, or not UTF-8.
  (r) => {
    const [method, path, valid] = r.pick(ADMIN_BODIES);
    const good = json(valid);
    const body: string | Uint8Array = r.pick([
      () => good.slice(0, 1 + r.int(good.length - 2)),
      () => r.text(100),
      () => r.pick(["", "null", "[]", "1", '"s"', "{", '{"name":}']),
      () => new Uint8Array(30).map(() => r.pick(INVALID_UTF8)),
      () => new Uint8Array([...new TextEncoder().encode('{"name":"'), 0xff, 0xfe, 0x22, 0x7d]),
    ])();
    return { kind: "admin malformed", method, path, headers: ADMIN, body };
  },
  // No token, a wrong token, a client key; some with a body that is not even JSON.
  (r, clientKey) => {
    const [method, path] = r.pick([
      ...ADMIN_BODIES.map(([m, p]) => [m, p]),
      ["GET", "/api/providers"],
      ["GET", "/api/export"],
      ["DELETE", "/api/models/1"],
    ]) as [string, string];
    const authorization = r.pick([
      undefined,
      "Bearer wrong",
      `Bearer ${clientKey}`,
      `Basic ${btoa(`admin:${TEST_TOKEN}`)}`,
      `Bearer ${TEST_TOKEN} `.repeat(2),
    ]);
    const headers: Record<string, string> = { ...CLIENT };
    if (authorization) headers.authorization = authorization;
    return {
      kind: "admin no token",
      method,
      path,
      headers,
      body: method === "GET" ? undefined : "{bad json",
    };
  },
  // Path and query tricks on the admin routes.
  (r) => {
    const path = r.pick([
      `/api/providers/${r.pick(["abc", "1.5", "99999999999999999999999", "%00", "1;DROP TABLE providers", "-1"])}`,
      `/api/models/${r.int(1e6) + 100}`,
      `/api/logs?page=${r.pick(["-1", "0", "x"])}`,
      `/api/logs?page_size=${r.pick(["100000", "-5", "abc"])}`,
      `/api/logs?status=${r.pick(["nope", "'", "success'--"])}`,
      `/api/metrics/use/${r.pick(["abc", "0", "99999", "-3"])}`,
      `/api/metrics/series?bucket=${r.pick(["minute", "x"])}`,
      `/api/model-providers?model_id=${r.pick(["x", "1.5", "[]"])}`,
      `/api/${r.int(1e6)}nope`,
    ]);
    return { kind: "admin path trick", method: "GET", path, headers: ADMIN };
  },
];

/** The generated inputs: half proxy (all four protocols), half admin, plus a few over 1 MiB to admin. */
function generate(clientKey: string): Case[] {
  const r = prng(20_251_202);
  const cases: Case[] = [];
  const models = Object.values(FOUR).map((f) => f.model);
  for (let i = 0; cases.length < TOTAL; i++) {
    if (i % 2 === 0) {
      const protocol = r.int(4);
      const model = models[protocol] as string;
      const path =
        protocol === 3 ? `/v1beta/models/${model}:generateContent` : (PROTOCOL_PATHS[protocol] as string);
      cases.push(r.pick(proxyMutations)(r, path, model));
    } else cases.push(r.pick(adminMutations)(r, clientKey));
  }
  for (let i = 0; i < 12; i++)
    cases.push({
      kind: "admin oversize",
      method: "POST",
      path: r.pick(["/api/models", "/api/providers", "/api/keys"]),
      headers: ADMIN,
      body: json({ name: "m", remark: "r".repeat(MiB + r.int(4096)) }),
    });
  return cases;
}

let up: FakeUpstream;
let gw: Gateway;
let clientKey: string;

beforeAll(() => {
  up = startFakeUpstream();
  gw = startGateway({ config: { bodyLimit: BODY_LIMIT } });
  linkFour(gw, up.url);
  // Also the target of PUT /api/keys/1 (the four links give the other PUT routes theirs).
  clientKey = addKey(gw).key;
});
afterAll(async () => {
  await gw.stop();
  await up.stop();
});

/** Sends a case in-process or over a socket; answers its status, body and header names. */
async function send(c: Case, socket: boolean) {
  const init: RequestInit = { method: c.method, headers: c.headers, body: c.body };
  const res = socket
    ? await fetch(gw.url + c.path, init)
    : await gw.handle(new Request(`http://localhost${c.path}`, init));
  return { status: res.status, text: await res.text(), headerNames: [...res.headers.keys()] };
}

/** A raw HTTP/1.1 exchange: the status of the answer, or 0 when the server closed without one. */
function raw(request: string): Promise<number> {
  const { port } = new URL(gw.url);
  return new Promise((resolve) => {
    const sock = connect(Number(port), "127.0.0.1");
    let data = "";
    sock.on("data", (d) => {
      data += d.toString("latin1");
    });
    sock.on("error", () => {});
    sock.on("close", () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0)));
    sock.write(request, () => sock.end());
  });
}

describe("hostile input", () => {
  it(
    `${TOTAL.toLocaleString("en")} generated hostile requests: each a clear 4xx, RSS bounded, a good request still answered`,
    async () => {
      const cases = generate(clientKey);
      expect(cases.length).toBeGreaterThanOrEqual(TOTAL);
      Bun.gc(true);
      const rssBefore = process.memoryUsage().rss;
      let rssPeak = rssBefore;

      // A well-formed request, back to back over a real socket, for as long as the hostile ones run. What it
      // waits for is the CPU the hostile requests take meanwhile (one event loop serves both), measured as
      // CPU time, which other processes on a loaded machine do not add to.
      let done = false;
      const canary: { status: number; cpuMs: number }[] = [];
      const canaryLoop = (async () => {
        while (!done) {
          const started = process.cpuUsage();
          const res = await chat(gw, FOUR.openai.model);
          await res.text();
          canary.push({ status: res.status, cpuMs: cpuMsSince(started) });
        }
      })();

      const bad: string[] = [];
      const kinds = new Map<string, number>();
      const CONCURRENCY = 32;
      for (let i = 0; i < cases.length; i += CONCURRENCY) {
        const batch = cases.slice(i, i + CONCURRENCY);
        const answers = await Promise.all(batch.map((c, j) => send(c, (i + j) % 20 === 0)));
        answers.forEach((a, j) => {
          const c = batch[j] as Case;
          kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
          let clear = false;
          try {
            const body = JSON.parse(a.text) as { error?: unknown };
            clear = body.error !== undefined;
          } catch {}
          if (a.status < 400 || a.status > 499 || !clear || a.headerNames.includes("x-injected"))
            bad.push(
              `${c.kind} ${c.method} ${c.path.slice(0, 80)} ${typeof c.body === "string" ? c.body.slice(0, 150) : "bytes"} → ${a.status} ${a.text.slice(0, 120)}`,
            );
        });
        if (i % (CONCURRENCY * 20) === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }
      done = true;
      await canaryLoop;

      expect(bad.slice(0, 20)).toEqual([]);
      // Every family of input was sent, many times (the 1 MiB admin bodies a dozen times).
      for (const [kind, n] of kinds) expect(n).toBeGreaterThan(kind === "admin oversize" ? 11 : 50);
      expect(kinds.size).toBe(proxyMutations.length + adminMutations.length + 1);
      expect(rssPeak - rssBefore).toBeLessThan(256 * MiB);
      expect(canary.length).toBeGreaterThan(10);
      expect(canary.every((c) => c.status === 200)).toBe(true);
      const sorted = canary.map((c) => c.cpuMs).sort((a, b) => a - b);
      expect(sorted[Math.floor(sorted.length * 0.5)] as number).toBeLessThan(250);
      expect(sorted.at(-1) as number).toBeLessThan(2000);
      // Nothing hostile reached the upstream: every request it saw is the canary's.
      expect(up.seen.every((s) => s.body.messages !== undefined && s.model === "up-gpt")).toBe(true);
    },
    { timeout: 60_000 },
  );

  it("malformed HTTP over a raw socket is refused or dropped, never a 5xx, and the gateway keeps serving", async () => {
    const host = "Host: 127.0.0.1\r\n";
    const requests = [
      `POST /v1/chat/completions HTTP/1.1\r\n${host}Content-Length: 5\r\nContent-Length: 7\r\n\r\n{}{}{}`,
      `POST /v1/chat/completions HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n`,
      `POST /api/providers HTTP/1.1\r\n${host}Authorization: Bearer x\r\n folded: continuation\r\n\r\n`,
      `POST /api/providers HTTP/1.1\r\n${host}X-Bad\u0000Header: 1\r\n\r\n`,
      `GET /api/providers HTTP/1.1\r\n${host}X-Long: ${"a".repeat(64 * 1024)}\r\n\r\n`,
      `POST /v1/messages HTTP/1.1\r\n${host}Content-Length: -1\r\n\r\n`,
      `POST /v1/messages HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n`,
      `GARBAGE / HTTP/1.1\r\n${host}\r\n`,
      `GET /../../etc/passwd HTTP/1.1\r\n${host}\r\n`,
      `GET /api/providers HTTP/9.9\r\n${host}\r\n`,
      "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003",
    ];
    for (const request of requests) {
      const status = await raw(request);
      // 505 is HTTP's own answer to an unknown protocol version (Bun's parser gives it, RFC 9110 §15.6.6).
      const refused =
        status === 0 || (status >= 400 && status < 500) || (status === 505 && request.includes("HTTP/9.9"));
      expect(refused).toBe(true);
    }
    expect((await chat(gw, FOUR.openai.model)).status).toBe(200);
  });
});
