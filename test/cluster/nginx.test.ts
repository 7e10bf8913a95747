// deploy/nginx.conf, the load balancer compose.scale.yaml ships, run for real: Debian's nginx with that very
// file (only its listen port changed; the upstream list is the include file compose provides, written here
// for two local instances) in front of two gateway processes on one SQLite file. Requests are balanced, a
// stream comes through as it is produced, a draining instance's requests go to the other one, and SSE
// headers arrive as the gateway sent them. Without an nginx binary the suite skips with one line; under
// CI=true it must run (.ci/run installs nginx-light).
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { adminCall } from "../helpers/admin-http";
import { startHeldStreamUpstream, streamReader } from "../helpers/held-stream-upstream";
import { type Child, freePort, startSourceGateway } from "../smoke/process";
import { until } from "../helpers/until";

// Processes and nginx on a loaded machine: each test (and hook) gets its own time, with or without --timeout.
setDefaultTimeout(60_000);

const ROOT = join(import.meta.dir, "..", "..");
const CONF = join(ROOT, "deploy", "nginx.conf");
const TOKEN = "nginx-admin-token";
const AUTH = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };

/** Debian puts nginx in /usr/sbin, which an unprivileged PATH may lack. */
const NGINX = Bun.which("nginx") ?? ["/usr/sbin/nginx", "/usr/local/sbin/nginx"].find((p) => existsSync(p));

function describeWithNginx(name: string) {
  if (NGINX) return describe;
  const missing = "no nginx binary on PATH or in /usr/sbin (apt-get install nginx-light)";
  if (process.env.CI === "true") throw new Error(`${name}: CI needs nginx: ${missing}`);
  console.log(`skipping "${name}": ${missing}`);
  return describe.skip;
}

/**
 * Runs the llmio service's health check of compose.scale.yaml against `port`: its command with compose's `$$`
 * unescaped, PORT set as the container's shell would see it. Resolves with the exit code.
 */
async function composeHealthCheck(port: number): Promise<number> {
  const compose = Bun.YAML.parse(readFileSync(join(ROOT, "compose.scale.yaml"), "utf8")) as {
    services: { llmio: { healthcheck: { test: string[] } } };
  };
  const [kind, ...cmd] = compose.services.llmio.healthcheck.test;
  expect(kind).toBe("CMD");
  const proc = Bun.spawn(
    cmd.map((a) => a.replaceAll("$$", "$")),
    {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", PORT: String(port) },
      stdio: ["ignore", "ignore", "ignore"],
    },
  );
  return proc.exited;
}

interface Instance {
  id: string;
  url: string;
  port: number;
  child: Child;
}

const chatBody = (model: string, stream = false) =>
  JSON.stringify({ model, stream, messages: [{ role: "user", content: "hi" }] });

const SUITE = "nginx (deploy/nginx.conf) in front of two gateway instances";

describeWithNginx(SUITE)(SUITE, () => {
  let dir: string;
  let up: ReturnType<typeof startHeldStreamUpstream>;
  let nginx: Subprocess | undefined;
  let lb: string;
  const gws: Instance[] = [];

  async function start(id: string): Promise<Instance> {
    const { child, port, url } = await startSourceGateway(
      dir,
      { TOKEN, DB_PATH: join(dir, "llmio.db"), INSTANCE_ID: id, TRUST_PROXY: "true", LOG_LEVEL: "warn" },
      30_000,
    );
    return { id, url, port, child };
  }

  const admin = (url: string, method: string, path: string, body?: unknown) =>
    adminCall(url, TOKEN, method, path, body);

  const chat = (url: string, model: string, stream = false) =>
    fetch(`${url}/v1/chat/completions`, { method: "POST", headers: AUTH, body: chatBody(model, stream) });

  /** nginx's own account for a failure message: each request and the replicas it went to, and its errors. */
  const nginxLogs = () =>
    ["access.log", "error.log"]
      .map((f) => `nginx ${f}:\n${readFileSync(join(dir, "nginx", f), "utf8")}`)
      .join("\n");

  /** How many of the newest `newest` records of `model` each instance wrote, once there are `total` in all. */
  async function servedBy(model: string, total: number, newest = 100): Promise<Record<string, number>> {
    let counts: Record<string, number> = {};
    await until(async () => {
      const page = await admin(gws[1]!.url, "GET", `/api/logs?model=${model}&page_size=${newest}`);
      counts = {};
      for (const r of page.data as { instance: string | null }[])
        counts[String(r.instance)] = (counts[String(r.instance)] ?? 0) + 1;
      return page.total >= total;
    }, `${total} records of ${model}`);
    return counts;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "llmio-nginx-"));
    // nginx's workers run as nobody when the test runs as root: they must reach their temp directories.
    chmodSync(dir, 0o755);
    up = startHeldStreamUpstream();
    // The first instance creates the database and its configuration; the second opens it as it is.
    gws.push(await start("gw-a"));
    const p = await admin(gws[0]!.url, "POST", "/api/providers", {
      name: "up",
      type: "openai",
      base_url: up.url,
      api_key: "sk-upstream",
    });
    for (const name of ["balanced", "draining", "streamed"]) {
      const m = await admin(gws[0]!.url, "POST", "/api/models", { name, max_attempts: 1 });
      await admin(gws[0]!.url, "POST", "/api/model-providers", {
        model_id: m.id,
        provider_id: p.id,
        provider_model: "up",
      });
    }
    gws.push(await start("gw-b"));

    // The shipped file, its listen port the only change; the upstream list is the include compose mounts.
    const conf = readFileSync(CONF, "utf8");
    expect(conf.match(/^\s*listen 7070;$/gm)).toHaveLength(1);
    const prefix = join(dir, "nginx");
    mkdirSync(prefix, { mode: 0o755 });
    writeFileSync(
      join(prefix, "nginx-upstreams.conf"),
      gws.map((g) => `server 127.0.0.1:${g.port};\n`).join(""),
    );
    // nginx must be told its port: one from freePort(), and another when something took it meanwhile.
    for (let attempt = 1; ; attempt++) {
      try {
        await startNginx(prefix, conf, freePort());
        break;
      } catch (err) {
        if (attempt === 5 || !/Address already in use/.test(String(err))) throw err;
        console.warn("nginx's port was taken before it bound it; trying another");
      }
    }
  }, 120_000);

  /** Starts nginx on `port` with the shipped file; resolves once it answers /readyz through an instance. */
  async function startNginx(prefix: string, conf: string, port: number): Promise<void> {
    writeFileSync(
      join(prefix, "nginx.conf"),
      conf.replace(/^(\s*)listen 7070;$/m, `$1listen 127.0.0.1:${port};`),
    );
    // Its access log goes to /dev/stdout, as in the container: a file here (nginx cannot open a socket
    // there, which is what a piped stdout is).
    const proc = Bun.spawn(
      [
        NGINX as string,
        "-p",
        `${prefix}/`,
        "-c",
        join(prefix, "nginx.conf"),
        "-e",
        "stderr",
        "-g",
        `daemon off; pid ${join(prefix, "nginx.pid")};`,
      ],
      {
        cwd: prefix,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
        stdio: ["ignore", Bun.file(join(prefix, "access.log")), Bun.file(join(prefix, "error.log"))],
      },
    );
    nginx = proc;
    lb = `http://127.0.0.1:${port}`;
    await until(async () => {
      if (proc.exitCode !== null)
        throw new Error(`nginx exited:\n${readFileSync(join(dir, "nginx", "error.log"), "utf8")}`);
      const res = await fetch(`${lb}/readyz`).catch(() => null);
      // nginx's answer, not that of whatever may have taken the port.
      return res?.status === 200 && (res.headers.get("server") ?? "").startsWith("nginx");
    }, "nginx to answer /readyz");
  }

  afterAll(async () => {
    for (const h of up?.held ?? []) h.release();
    if (nginx && nginx.exitCode === null) {
      nginx.kill("SIGQUIT");
      await Promise.race([nginx.exited, Bun.sleep(5000)]);
      if (nginx.exitCode === null) nginx.kill("SIGKILL");
      await nginx.exited;
    }
    for (const g of gws) g.child.kill();
    await Promise.all(gws.map((g) => g.child.proc.exited));
    await up?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("balances requests across both instances", async () => {
    let sent = 0;
    /** Ten requests through nginx, one after the other; answers the split of the ten records they left. */
    const round = async () => {
      for (let i = 0; i < 10; i++) {
        const res = await chat(lb, "balanced");
        expect(res.status).toBe(200);
        expect(((await res.json()) as any).choices[0].message.content).toBe("hi");
      }
      sent += 10;
      return servedBy("balanced", sent, 10);
    };
    // nginx takes a server out for fail_timeout (10 s) after one failed attempt (max_fails=1, its default), so
    // a single refused connection on a loaded machine could leave one instance out of a round: wait, beyond
    // that window, for a round that both serve, then check how the next ten split.
    await until(
      async () => Object.keys(await round()).length === 2,
      "a round served by both instances",
      30_000,
    );
    const served = await round();
    // nginx's own account (the replica each request went to, a server it marked failed) names the cause.
    expect(Object.keys(served).sort(), nginxLogs()).toEqual(["gw-a", "gw-b"]);
    // Round robin over one worker: an even split, give or take a request.
    expect(Math.abs((served["gw-a"] ?? 0) - (served["gw-b"] ?? 0)), nginxLogs()).toBeLessThanOrEqual(2);
  }, 60_000);

  it("passes a stream through as it comes, SSE headers intact: the first chunk arrives while the upstream holds the rest", async () => {
    const direct = await chat(gws[0]!.url, "streamed", true);
    const directText = streamReader(direct);
    await directText.until(/"first"/);
    up.held.at(-1)?.release();
    await directText.until(/\[DONE\]/);

    const before = up.held.length;
    const res = await chat(lb, "streamed", true);
    expect(res.status).toBe(200);
    for (const h of ["content-type", "cache-control"])
      expect({ header: h, value: res.headers.get(h) }).toEqual({ header: h, value: direct.headers.get(h) });
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    expect(res.headers.get("content-length")).toBeNull();
    const body = streamReader(res);
    // The upstream has sent "first" and holds the rest until released: it can only have arrived unbuffered.
    await body.until(/"first"/);
    expect(up.held.length).toBe(before + 1);
    expect(body.text()).not.toContain("second");
    up.held.at(-1)?.release();
    const all = await body.until(/\[DONE\]/);
    expect(all).toContain(" second");
  }, 60_000);

  it("passes compose.scale.yaml's health check on a ready instance (the command run as the container would)", async () => {
    expect(await composeHealthCheck(gws[1]!.port)).toBe(0);
  });

  it("sends a draining instance's requests to the other one, and keeps serving once it is gone", async () => {
    const [a] = gws as [Instance, Instance];
    // A stream held open on A keeps it draining (in flight) after SIGTERM.
    const inFlight = streamReader(await chat(a.url, "streamed", true));
    await inFlight.until(/"first"/);
    const exited = a.child.stop("SIGTERM", 30_000);
    await until(async () => (await fetch(`${a.url}/readyz`)).status === 503, "A's /readyz to answer 503");
    expect((await chat(a.url, "draining")).status).toBe(503);
    // The replica's compose health check fails from now on, so compose holds new traffic off it too.
    expect(await composeHealthCheck(a.port)).not.toBe(0);

    // Round robin sends some of these to A, which refuses them with 503: each must reach the client as B's
    // answer (A is not marked down before its first refusal, which nginx must then have sent on to B).
    for (let i = 0; i < 6; i++) expect((await chat(lb, "draining")).status, nginxLogs()).toBe(200);
    expect(await servedBy("draining", 6), nginxLogs()).toEqual({ "gw-b": 6 });

    // The stream in flight finishes, then A exits; its port now refuses and nginx goes to B.
    up.held.at(-1)?.release();
    await inFlight.until(/\[DONE\]/);
    expect(await exited).toBe(0);
    for (let i = 0; i < 4; i++) expect((await chat(lb, "draining")).status, nginxLogs()).toBe(200);
    expect(await servedBy("draining", 10), nginxLogs()).toEqual({ "gw-b": 10 });
  }, 60_000);
});
