import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { seededRandom } from "../../src/core/clock";
import { type FakeUpstream, startFakeUpstream, startResettingServer } from "../helpers/fake-upstream";
import { AUTH, chat, type Gateway, type LinkSpec, post, readSse, startGateway } from "../helpers/gateway";

let up: FakeUpstream;
let reset: ReturnType<typeof startResettingServer>;
const gateways: Gateway[] = [];

beforeAll(() => {
  up = startFakeUpstream({
    "fail-500": { kind: "status", status: 500 },
    "fail-400": {
      kind: "status",
      status: 400,
      body: '{"error":{"message":"bad tool schema","type":"invalid_request_error"}}',
    },
    "fail-429": { kind: "status", status: 429, headers: { "retry-after": "1" } },
    "fail-429-nohint": { kind: "status", status: 429 },
    "fail-401": { kind: "status", status: 401 },
    hang: { kind: "hang" },
    quota: { kind: "error200", message: "quota exhausted for this account" },
    drop: { kind: "drop", afterChunks: 2 },
    stall: { kind: "stall", afterChunks: 2 },
  });
  reset = startResettingServer();
});
afterAll(async () => {
  await up.stop();
  reset.stop();
});
afterEach(async () => {
  while (gateways.length) await gateways.pop()?.stop();
});

function gateway(opts: Parameters<typeof startGateway>[0] = {}) {
  const gw = startGateway(opts);
  gateways.push(gw);
  return gw;
}

/** Links an OpenAI provider's `providerModel` on the fake upstream to model "m"; `spec` adds or overrides. */
const linkM = (gw: Gateway, provider: string, providerModel: string, spec: Partial<LinkSpec> = {}) =>
  gw.link({ model: "m", provider, type: "openai", baseUrl: up.url, providerModel, ...spec });

type Log = Record<string, unknown> & { attempts: string };
/** An Anthropic Messages request for model "m". */
const MESSAGE = { model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }] };

describe("failover", () => {
  it.each([
    ["a 500", "fail-500", "server", 500],
    ["a connection reset", "RESET", "network", null],
    ["a 401 from the provider", "fail-401", "auth", 401],
    ["a 200 whose body matches error_matcher", "quota", "matched_error", 200],
  ])("moves to the next provider after %s", async (_name, badModel, kind, status) => {
    const gw = gateway();
    gw.link({
      model: "m",
      provider: "bad",
      type: "openai",
      baseUrl: badModel === "RESET" ? reset.url : up.url,
      providerModel: badModel,
      priority: 10,
      modelOptions: { strategy: "priority" },
      providerOptions: { error_matcher: "quota exhausted" },
    });
    linkM(gw, "good", "ok-model", { priority: 1 });
    const res = await chat(gw, "m");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { model: string }).model).toBe("ok-model");
    await gw.flush();
    const log = gw.logs()[0] as Log;
    expect(log.status).toBe("success");
    expect(log.provider_name).toBe("good");
    const attempts = JSON.parse(log.attempts) as {
      kind: string;
      status: number | null;
      provider_name: string;
    }[];
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.kind).toBe(kind);
    expect(attempts[0]?.status).toBe(status);
    expect(attempts[0]?.provider_name).toBe("bad");
  });

  it("moves on when a provider does not answer within timeout_s", async () => {
    const gw = gateway();
    linkM(gw, "slow", "hang", { priority: 10, modelOptions: { strategy: "priority", timeout_s: 1 } });
    linkM(gw, "good", "ok-model", { priority: 1 });
    const t = performance.now();
    const res = await chat(gw, "m");
    expect(res.status).toBe(200);
    // Cut by the 1 s timeout_s, not by the 60 s default: a bound far from both holds on a loaded machine.
    expect(performance.now() - t).toBeLessThan(NOT_THE_DEFAULT_MS);
    await gw.flush();
    const attempts = JSON.parse((gw.logs()[0] as Log).attempts) as { kind: string }[];
    expect(attempts[0]?.kind).toBe("timeout");
  });

  it("returns a 400 caused by the request to the client without failover", async () => {
    const gw = gateway();
    linkM(gw, "a", "fail-400", { priority: 10, modelOptions: { strategy: "priority" } });
    linkM(gw, "b", "ok-model", { priority: 1 });
    const before = up.seen.length;
    const res = await chat(gw, "m");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe("bad tool schema");
    expect(up.seen.length - before).toBe(1);
    await gw.flush();
    expect((gw.logs()[0] as Log).status).toBe("error");
    expect(gw.runtime.health.snapshot(1).consecutive_failures).toBe(0);
  });

  it("answers 502 in the client's protocol when every attempt fails, bounded by max_attempts", async () => {
    const gw = gateway();
    for (const p of ["a", "b", "c"]) {
      gw.link({
        model: "m",
        provider: p,
        type: "anthropic",
        baseUrl: up.url,
        providerModel: "fail-500",
        modelOptions: { max_attempts: 2, breaker: false },
      });
    }
    const before = up.seen.length;
    const res = await post(gw, "/v1/messages", MESSAGE);
    expect(res.status).toBe(502);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe("error");
    expect(body.error.message).toContain("2 attempts");
    expect(body.error.message).not.toContain("key-");
    expect(up.seen.length - before).toBe(2);
  });
});

describe("rate limits and breaker", () => {
  it("cools a 429'd link down for Retry-After for every request, then uses it again", async () => {
    let now = 1_700_000_000_000;
    const clock = { now: () => now, mono: () => performance.now() };
    const gw = gateway({ deps: { clock } });
    const { link } = linkM(gw, "limited", "fail-429", {
      priority: 10,
      modelOptions: { strategy: "priority" },
    });
    linkM(gw, "spare", "ok-model", { priority: 1 });
    expect((await chat(gw, "m")).status).toBe(200);
    const h = gw.runtime.health.snapshot(link.id);
    expect(h.cooldown_until).toBe(now + 1000);
    const before = up.seen.filter((s) => s.model === "fail-429").length;
    expect((await chat(gw, "m")).status).toBe(200);
    // The cooling link was skipped: no new request reached it.
    expect(up.seen.filter((s) => s.model === "fail-429").length).toBe(before);
    now += 1500;
    up.behaviors.set("fail-429", { kind: "ok" });
    expect((await chat(gw, "m")).status).toBe(200);
    expect(up.seen.filter((s) => s.model === "fail-429").length).toBe(before + 1);
    up.behaviors.set("fail-429", { kind: "status", status: 429, headers: { "retry-after": "1" } });
  });

  it("answers 429 with Retry-After when every link is cooling down", async () => {
    const gw = gateway();
    linkM(gw, "only", "fail-429-nohint");
    const first = await chat(gw, "m");
    expect(first.status).toBe(429);
    const second = await chat(gw, "m");
    expect(second.status).toBe(429);
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await second.json()) as { error: { message: string } }).error.message).toContain("cooling down");
  });

  it("opens the breaker after repeated failures and closes it after a good half-open trial", async () => {
    let now = 1_700_000_000_000;
    const clock = { now: () => now, mono: () => performance.now() };
    const gw = gateway({ deps: { clock, health: { failureThreshold: 2, openMs: 10_000 } } });
    const { link } = linkM(gw, "flaky", "flaky", { modelOptions: { max_attempts: 1 } });
    up.behaviors.set("flaky", { kind: "status", status: 503 });
    expect((await chat(gw, "m")).status).toBe(502);
    expect((await chat(gw, "m")).status).toBe(502);
    expect(gw.runtime.health.snapshot(link.id).breaker).toBe("open");
    const open = await chat(gw, "m");
    expect(open.status).toBe(503);
    now += 10_001;
    up.behaviors.set("flaky", { kind: "ok" });
    expect(gw.runtime.health.snapshot(link.id).breaker).toBe("half_open");
    expect((await chat(gw, "m")).status).toBe(200);
    expect(gw.runtime.health.snapshot(link.id).breaker).toBe("closed");
    const health = await fetch(`${gw.url}/api/health`, { headers: AUTH });
    const body = (await health.json()) as {
      links: { link_id: number; breaker: string; provider_name: string }[];
    };
    expect(body.links.find((l) => l.link_id === link.id)?.provider_name).toBe("flaky");
  });
});

describe("streams", () => {
  it("ends a stream that breaks mid-way with the protocol's error event and records an error", async () => {
    const gw = gateway();
    gw.link({ model: "m", provider: "p", type: "anthropic", baseUrl: up.url, providerModel: "drop" });
    gw.link({ model: "m2", provider: "q", type: "openai", baseUrl: up.url, providerModel: "drop" });
    const res = await post(gw, "/v1/messages", { ...MESSAGE, stream: true });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events.at(-1)?.event).toBe("error");
    expect(JSON.parse(events.at(-1)?.data ?? "{}").error.type).toBeTruthy();
    const res2 = await chat(gw, "m2", { stream: true });
    const events2 = await readSse(res2);
    expect(events2.some((e) => e.data === "[DONE]")).toBe(false);
    expect(JSON.parse(events2.at(-1)?.data ?? "{}").error.message).toContain("broke");
    await gw.flush();
    expect(gw.logs().map((l) => l.status)).toEqual(["error", "error"]);
  });

  it("ends a stream that goes silent past the idle limit", async () => {
    const gw = gateway({ config: { streamIdleMs: 300 } });
    linkM(gw, "p", "stall");
    const t = performance.now();
    const res = await chat(gw, "m", { stream: true });
    const events = await readSse(res);
    // Ended by the 300 ms limit, not by the 120 s default: a bound far from both holds on a loaded machine.
    expect(performance.now() - t).toBeLessThan(NOT_THE_DEFAULT_MS);
    expect(JSON.parse(events.at(-1)?.data ?? "{}").error.message).toContain("silent");
    await gw.flush();
    expect(gw.logs()[0]?.status).toBe("error");
  });

  it("aborts the upstream at once (long before any timeout) when a streaming client disconnects", async () => {
    const gw = gateway();
    linkM(gw, "p", "stall");
    const ac = new AbortController();
    const res = await chat(gw, "m", { stream: true }, { signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read();
    const abortsBefore = up.aborts.length;
    const t = performance.now();
    ac.abort();
    await until(() => up.aborts.length > abortsBefore);
    // The link's timeout is 60 s: an abort seen well before it is the client's.
    expect((up.aborts.at(-1)?.at ?? Infinity) - t).toBeLessThan(NOT_THE_DEFAULT_MS);
    await until(async () => {
      await gw.flush();
      return gw.logs()[0]?.status === "cancelled";
    });
  });

  it("aborts the upstream at once (long before any timeout) when a waiting non-stream client disconnects", async () => {
    const gw = gateway();
    linkM(gw, "p", "hang");
    const ac = new AbortController();
    const seenBefore = up.seen.length;
    const pending = chat(gw, "m", {}, { signal: ac.signal }).catch(() => null);
    await until(() => up.seen.slice(seenBefore).some((s) => s.model === "hang"));
    const abortsBefore = up.aborts.length;
    const t = performance.now();
    ac.abort();
    await pending;
    await until(() => up.aborts.length > abortsBefore);
    expect((up.aborts.at(-1)?.at ?? Infinity) - t).toBeLessThan(NOT_THE_DEFAULT_MS);
    await until(async () => {
      await gw.flush();
      return gw.logs()[0]?.status === "cancelled";
    });
  });
});

describe("routing choices", () => {
  it("refuses a request needing tools when no link has tool_call, naming the capability", async () => {
    const gw = gateway();
    linkM(gw, "p", "x", { link: { tool_call: false } });
    const res = await chat(gw, "m", {
      tools: [{ type: "function", function: { name: "f", parameters: {} } }],
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("tool call");
  });

  it("sends tool requests only to links with tool_call", async () => {
    const gw = gateway();
    linkM(gw, "p", "no-tools", { weight: 100, link: { tool_call: false } });
    linkM(gw, "q", "tools", { weight: 1 });
    for (let i = 0; i < 5; i++) {
      const res = await chat(gw, "m", {
        tools: [{ type: "function", function: { name: "f", parameters: {} } }],
      });
      expect(((await res.json()) as { model: string }).model).toBe("tools");
    }
  });

  it("spreads requests by weight with a seeded random source", async () => {
    const gw = gateway({ deps: { random: seededRandom(42) } });
    linkM(gw, "p", "w1", { weight: 1 });
    linkM(gw, "q", "w3", { weight: 3 });
    const counts: Record<string, number> = { w1: 0, w3: 0 };
    for (let i = 0; i < 200; i++) {
      const res = await chat(gw, "m");
      const model = ((await res.json()) as { model: string }).model;
      counts[model] = (counts[model] ?? 0) + 1;
    }
    expect(counts.w3! / 200).toBeGreaterThan(0.65);
    expect(counts.w3! / 200).toBeLessThan(0.85);
  });

  it("tries links in priority order", async () => {
    const gw = gateway();
    linkM(gw, "low", "fail-500", { priority: 1, modelOptions: { strategy: "priority", breaker: false } });
    linkM(gw, "high", "fail-500", { priority: 9 });
    linkM(gw, "mid", "fail-500", { priority: 5 });
    await chat(gw, "m");
    await gw.flush();
    const attempts = JSON.parse((gw.logs()[0] as Log).attempts) as { provider_name: string }[];
    expect(attempts.map((a) => a.provider_name)).toEqual(["high", "mid", "low"]);
  });
});

/**
 * Past a short limit a test sets (a 1 s timeout_s, a 300 ms stream idle limit) and far before the default it
 * would otherwise meet (60 s, 120 s): an ending before this is the short limit's, even on a loaded machine.
 */
const NOT_THE_DEFAULT_MS = 15_000;

/** Polls a condition until it holds (or fails the test after 20 s). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + 20_000;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error("condition not met within 20 s");
    await Bun.sleep(5);
  }
}
