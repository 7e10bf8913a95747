// A gateway on a redis-server of the test's own: requests of keys without limits make no Redis round trip,
// limited ones one; when Redis goes away the gateway keeps proxying on its own state (degraded, visible in
// /api/health and /metrics, logged once) and rejoins when it returns.
import { afterAll, beforeAll, expect, it, setDefaultTimeout } from "bun:test";
import { RedisCluster } from "../../src/cluster/redis";
import type { Logger } from "../../src/core/logger";
import { startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, addKey, type Gateway, keysApi, startGateway } from "../helpers/gateway";
import { describeWithRedis, type OwnRedis, redisClient, startOwnRedis } from "../helpers/redis";
import { until } from "../helpers/until";

// Processes, Redis or PostgreSQL on a loaded machine: each test (and hook) gets its own time, with or
// without --timeout.
setDefaultTimeout(60_000);

const describeRedis = describeWithRedis("degraded shared state", { server: true });

const lines: { level: string; msg: string }[] = [];
const logger: Logger = {
  debug: () => {},
  info: (msg) => void lines.push({ level: "info", msg }),
  warn: (msg) => void lines.push({ level: "warn", msg }),
  error: (msg) => void lines.push({ level: "error", msg }),
};

describeRedis("a gateway whose Redis goes away and comes back", () => {
  let redis: OwnRedis;
  let cluster: RedisCluster;
  let gw: Gateway;
  const up = startFakeUpstream();
  let free: string;
  let limited: { id: number; key: string };

  beforeAll(async () => {
    redis = await startOwnRedis();
    cluster = new RedisCluster({
      url: redis.url,
      prefix: "llmio:",
      instance: "gw-own",
      version: "test",
      startedAt: Date.now(),
      logger,
      // Heartbeats far apart, so the command counts below are the requests' own.
      heartbeatMs: 60_000,
      retryMs: 100,
    });
    await cluster.start();
    gw = startGateway({ deps: { cluster, logger } });
    gw.link({ model: "m", provider: "p", type: "openai", baseUrl: up.url, providerModel: "up-m" });
    free = addKey(gw).key;
    limited = (await keysApi(gw, "POST", "", { name: "limited", rpm_limit: 3 })) as {
      id: number;
      key: string;
    };
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await cluster?.close();
    await redis?.stop();
    await up.stop();
  });

  const chat = (key: string) =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...AUTH, authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
  const health = async () =>
    (await (await fetch(`${gw.url}/api/health`, { headers: AUTH })).json()) as {
      instance: string;
      cluster: { mode: string; degraded: boolean; instances: { id: string }[] };
    };
  const gauge = async () => {
    const text = await (await fetch(`${gw.url}/metrics`, { headers: AUTH })).text();
    return Number(/^llmio_cluster_degraded (\d)$/m.exec(text)?.[1]);
  };

  /**
   * Commands the gateway sent that requests could cause: scripts (admission, settle, link changes) and
   * notices. (commandstats also counts what scripts run inside, so it cannot simply be summed.)
   */
  async function commandCalls(): Promise<number> {
    const c = await redisClient(redis.url);
    try {
      const info = (await c.send("INFO", ["commandstats"])) as string;
      let n = 0;
      for (const m of info.matchAll(/^cmdstat_(evalsha|eval|publish):calls=(\d+)/gm)) n += Number(m[2]);
      return n;
    } finally {
      c.close();
    }
  }

  it("makes no Redis round trip for a key without limits, and one (plus its settle) for a limited key", async () => {
    const before = await commandCalls();
    for (let i = 0; i < 5; i++) expect((await chat(free)).status).toBe(200);
    expect(await commandCalls()).toBe(before);

    const res = await chat(limited.key);
    expect(res.status).toBe(200);
    // The admission (one script) on the request's path; the settle once its record is made.
    await until(async () => (await commandCalls()) === before + 2, "admit and settle");
  });

  it("lists itself as the live instance while Redis is up", async () => {
    const h = await health();
    expect(h.instance).toBe("gw-own");
    expect(h.cluster).toMatchObject({ mode: "redis", degraded: false });
    expect(h.cluster.instances.map((i) => i.id)).toEqual(["gw-own"]);
    expect(await gauge()).toBe(0);
  });

  it("keeps proxying on its own state while Redis is down, visible and logged once, then rejoins", async () => {
    await redis.stop();
    await until(() => cluster.degraded, "the outage to be noticed");
    expect((await health()).cluster.degraded).toBe(true);
    expect(await gauge()).toBe(1);

    // Unlimited keys are untouched; limited keys are held by this instance's own limiter (3 per minute).
    expect((await chat(free)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await chat(limited.key)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(lines.filter((l) => l.msg.includes("shared state degraded"))).toHaveLength(1);

    await redis.start();
    await until(async () => !(await health()).cluster.degraded, "the gateway to rejoin", 20_000);
    expect(await gauge()).toBe(0);
    expect(lines.some((l) => l.msg.includes("shared state rejoined"))).toBe(true);
    // Back on the shared state (a fresh Redis: a fresh window) and listed again.
    expect((await chat(limited.key)).status).toBe(200);
    expect((await health()).cluster.instances.map((i) => i.id)).toEqual(["gw-own"]);
  }, 60_000);

  it("names the instance in every record", async () => {
    await gw.flush();
    const rows = gw.logs();
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.instance))).toEqual(new Set(["gw-own"]));
  });
});
