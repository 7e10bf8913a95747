/**
 * Secrets: provider keys, credentials in provider URLs and headers, client keys and the admin token never
 * appear in a response body or header, a request record or body log, /metrics, an export without
 * secrets, or anything the logger prints at any level. And every admin route refuses a request without
 * the admin token, with a wrong one, or with a client key.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { AppDeps } from "../../src/app";
import { createLogger } from "../../src/core/logger";
import { staticAdminToken } from "../../src/http/admin-token";
import { makeApp } from "../helpers/app";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import {
  addKey,
  type ClientStyle,
  FOUR,
  type Gateway,
  minimalRequest,
  startGateway,
} from "../helpers/gateway";

const ADMIN_TOKEN = `adm-${crypto.randomUUID()}`;
// Two key shapes: one the logger's patterns know (sk-…), one they do not, so only real care keeps it out.
const PROVIDER_KEY_SK = `sk-prov-${crypto.randomUUID().replaceAll("-", "")}`;
const PROVIDER_KEY_PLAIN = `plainkey${crypto.randomUUID().replaceAll("-", "")}`;
const URL_USER = `urluser${crypto.randomUUID().slice(0, 8)}`;
const URL_PASSWORD = `urlpw${crypto.randomUUID().replaceAll("-", "")}`;
const HEADER_SECRET = `hdr${crypto.randomUUID().replaceAll("-", "")}`;
const PROXY_PASSWORD = `proxypw${crypto.randomUUID().replaceAll("-", "")}`;

const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };

let up: FakeUpstream;
let gw: Gateway;
let clientKey: string;
const logLines: string[] = [];
const seen: { where: string; text: string }[] = [];

/** Records a response's status line, headers and body for the scan, and answers its body. */
async function capture(where: string, res: Response): Promise<string> {
  const text = await res.text();
  seen.push({ where: `${where} → ${res.status}`, text: `${JSON.stringify([...res.headers])}\n${text}` });
  return text;
}

const call = (where: string, path: string, init: RequestInit = {}) =>
  fetch(gw.url + path, init).then((res) => capture(where, res));

beforeAll(() => {
  up = startFakeUpstream({
    // An upstream that echoes the key it was sent, as some do in their 401s (one per key shape).
    "echo-sk": {
      kind: "status",
      status: 401,
      body: JSON.stringify({ error: { message: `Incorrect API key provided: ${PROVIDER_KEY_SK}` } }),
    },
    "echo-plain": {
      kind: "status",
      status: 401,
      body: JSON.stringify({ error: { message: `Incorrect API key provided: ${PROVIDER_KEY_PLAIN}` } }),
    },
    "server-error": { kind: "status", status: 500, body: '{"error":{"message":"boom"}}' },
  });
  const deps: Partial<AppDeps> = {
    adminToken: staticAdminToken(ADMIN_TOKEN),
    logger: createLogger("debug", (line) => logLines.push(line)),
  };
  gw = startGateway({ config: { token: ADMIN_TOKEN }, deps });
  const port = new URL(up.url).port;
  for (const [type, f] of Object.entries(FOUR) as [ClientStyle, (typeof FOUR)[ClientStyle]][]) {
    gw.link({
      ...f,
      type,
      baseUrl: up.url,
      providerOptions: {
        api_key: type === "openai" || type === "anthropic" ? PROVIDER_KEY_SK : PROVIDER_KEY_PLAIN,
        headers: { "x-relay-token": HEADER_SECRET, "x-team": "blue" },
      },
    });
  }
  // A provider whose URL carries credentials, and one that cannot be reached, with a proxy password.
  gw.link({
    model: "cred-url",
    provider: "cred",
    type: "openai",
    baseUrl: `http://${URL_USER}:${URL_PASSWORD}@127.0.0.1:${port}`,
    providerModel: "up-cred",
    providerOptions: { api_key: PROVIDER_KEY_PLAIN },
  });
  gw.link({
    model: "unreachable",
    provider: "gone",
    type: "openai",
    baseUrl: `http://${URL_USER}:${URL_PASSWORD}@127.0.0.1:9`,
    providerModel: "up-gone",
    providerOptions: { api_key: PROVIDER_KEY_SK, proxy_url: null },
    modelOptions: { max_attempts: 1 },
  });
  // "oa" holds the sk- key; "plain" the other shape.
  gw.link({ model: "echo-sk", provider: "oa", type: "openai", baseUrl: up.url, providerModel: "echo-sk" });
  gw.link({
    model: "echo-plain",
    provider: "plain",
    type: "openai",
    baseUrl: up.url,
    providerModel: "echo-plain",
    providerOptions: { api_key: PROVIDER_KEY_PLAIN },
  });
  gw.link({ model: "fails", provider: "oa", type: "openai", baseUrl: up.url, providerModel: "server-error" });
  gw.db
    .query("UPDATE providers SET proxy_url = ? WHERE name = 'gone'")
    .run(`http://proxyuser:${PROXY_PASSWORD}@127.0.0.1:9`);
  gw.runtime.reload();
  clientKey = addKey(gw, { ioLog: true }).key;
});
afterAll(async () => {
  await gw.stop();
  await up.stop();
});

const SECRETS = () => ({
  "admin token": ADMIN_TOKEN,
  "client key": clientKey,
  "provider key (sk-)": PROVIDER_KEY_SK,
  "provider key (plain)": PROVIDER_KEY_PLAIN,
  "password in base_url": URL_PASSWORD,
  "user in base_url": URL_USER,
  "secret header value": HEADER_SECRET,
  "password in proxy_url": PROXY_PASSWORD,
});

/** Every place a secret was found: `what in where`. */
function hits(sources: { where: string; text: string }[]): string[] {
  const out: string[] = [];
  for (const { where, text } of sources)
    for (const [what, secret] of Object.entries(SECRETS()))
      if (text.includes(secret)) out.push(`${what} in ${where}`);
  return out;
}

describe("secrets", () => {
  it(
    "appear in no response, record, body log, /metrics, export or log line",
    async () => {
      // Proxied traffic: every protocol, stream and not, with the client key (bodies logged) and the token.
      for (const [style, f] of Object.entries(FOUR) as [ClientStyle, (typeof FOUR)[ClientStyle]][]) {
        for (const stream of [false, true]) {
          for (const key of [clientKey, ADMIN_TOKEN]) {
            const { path, body } = minimalRequest(style, f.model, stream);
            const headers = { "content-type": "application/json", authorization: `Bearer ${key}` };
            await call(`${style} ${stream ? "stream" : "json"}`, path, {
              method: "POST",
              headers,
              body: JSON.stringify(body),
            });
          }
        }
      }
      for (const model of ["cred-url", "unreachable", "echo-sk", "echo-plain", "fails", "nope"]) {
        const { path, body } = minimalRequest("openai", model, false);
        const headers = { "content-type": "application/json", authorization: `Bearer ${clientKey}` };
        await call(`proxy ${model}`, path, { method: "POST", headers, body: JSON.stringify(body) });
      }
      // Refused proxy requests: a wrong key, a key in each header a client may use.
      const { path, body } = minimalRequest("openai", FOUR.openai.model, false);
      for (const headers of [{ authorization: "Bearer wrong" }, { "x-api-key": "wrong" }, {}] as Record<
        string,
        string
      >[]) {
        await call("proxy refused", path, { method: "POST", headers, body: JSON.stringify(body) });
      }
      await call("models list", "/v1/models", { headers: { authorization: `Bearer ${clientKey}` } });
      await call("gemini models", `/v1beta/models?key=${clientKey}`);

      // Every admin read, the link tests and upstream model lists (which call upstreams with the keys).
      const { app } = makeApp();
      const ids = gw.db.query("SELECT id FROM model_providers").all() as { id: number }[];
      const providerIds = gw.db.query("SELECT id FROM providers").all() as { id: number }[];
      for (const r of app.routes.filter((r) => r.path.startsWith("/api/") && r.method === "GET")) {
        const paths = r.path.includes(":id")
          ? (r.path.startsWith("/api/providers") ? providerIds : ids).map(({ id }) =>
              r.path.replace(":id", String(id)),
            )
          : [r.path.replace(":days", "7")];
        for (const p of paths) await call(`GET ${p}`, p, { headers: ADMIN });
      }
      for (const { id } of ids)
        await call(`test link ${id}`, `/api/model-providers/${id}/test`, { method: "POST", headers: ADMIN });
      // Every record written before the log pages are read (the recorder flushes on its own only every ~100 ms).
      await gw.flush();
      const logs = (await (await fetch(`${gw.url}/api/logs?page_size=500`, { headers: ADMIN })).json()) as {
        data: { id: number }[];
      };
      expect(logs.data.length).toBeGreaterThan(20);
      for (const { id } of logs.data) await call(`log ${id}`, `/api/logs/${id}`, { headers: ADMIN });
      // Admin errors: a malformed body, wrong types, a duplicate name carrying a key.
      await call("admin 400", "/api/providers", { method: "POST", headers: ADMIN, body: "{bad" });
      await call("admin 422", "/api/providers/1", {
        method: "PUT",
        headers: ADMIN,
        body: JSON.stringify({ api_key: 5, base_url: `ftp://${URL_USER}:${URL_PASSWORD}@x` }),
      });
      await call("admin 409", "/api/providers", {
        method: "POST",
        headers: ADMIN,
        body: JSON.stringify({
          name: "oa",
          type: "openai",
          base_url: "https://x.example",
          api_key: PROVIDER_KEY_SK,
        }),
      });
      await call("metrics", "/metrics", { headers: ADMIN });
      await call("export", "/api/export", { headers: ADMIN });

      await gw.flush();
      const records = [
        ...gw.db.query("SELECT * FROM request_logs").all(),
        ...gw.db.query("SELECT * FROM request_bodies").all(),
      ].map((row, i) => ({ where: `record ${i}`, text: JSON.stringify(row) }));
      expect(gw.db.query("SELECT count(*) AS n FROM request_bodies").get()).not.toEqual({ n: 0 });

      // The export with secrets does carry them: proof the scan would see them.
      const full = await (
        await fetch(`${gw.url}/api/export?include_secrets=true`, { headers: ADMIN })
      ).text();
      expect(hits([{ where: "full export", text: full }]).length).toBeGreaterThan(3);

      expect(seen.length).toBeGreaterThan(80);
      expect(
        hits([...seen, ...records, ...logLines.map((l, i) => ({ where: `log line ${i}`, text: l }))]),
      ).toEqual([]);
    },
    { timeout: 30_000 },
  );

  describe("every admin route refuses", () => {
    const routes = makeApp()
      .app.routes.filter((r) => r.path.startsWith("/api/") && r.method !== "OPTIONS" && r.method !== "HEAD")
      .map((r) => [r.method, r.path.replaceAll(/:[a-z_]+/g, "1")] as [string, string]);
    // Functions: the client key exists only once beforeAll has run.
    const who: [string, () => Record<string, string>][] = [
      ["no token", () => ({})],
      ["a wrong token", () => ({ authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}x` })],
      ["a client key", () => ({ authorization: `Bearer ${clientKey}` })],
      ["a client key in x-api-key", () => ({ "x-api-key": clientKey })],
      ["the token in x-api-key", () => ({ "x-api-key": ADMIN_TOKEN })],
    ];

    it.each(routes.flatMap(([m, p]) => who.map(([w, h]) => [m, p, w, h] as const)))(
      "%s %s with %s: 401",
      async (method, path, _who, headers) => {
        const res = await gw.handle(
          new Request(`http://localhost${path}`, {
            method,
            headers: { "content-type": "application/json", ...headers() },
            body: method === "GET" ? undefined : "{}",
          }),
        );
        expect(res.status).toBe(401);
      },
    );
  });
});
