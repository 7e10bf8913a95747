import { afterAll, beforeAll, expect, it, setDefaultTimeout } from "bun:test";
import { RedisCluster } from "../../src/cluster/redis";
import type { Clock } from "../../src/core/clock";
import { silentLogger } from "../../src/core/logger";
import { HealthRegistry } from "../../src/routing";
import { describeWithRedis, dropPrefix, REDIS_URL, testPrefix } from "../helpers/redis";
import { until } from "../helpers/until";

// Processes, Redis or PostgreSQL on a loaded machine: each test (and hook) gets its own time, with or
// without --timeout.
setDefaultTimeout(60_000);

const describeRedis = describeWithRedis("shared link health", { service: true });

const prefix = testPrefix("health");
const clusters: RedisCluster[] = [];

/**
 * Both instances' clock, which the tests move on: a breaker's open interval ends when a test says so, not
 * when 300 ms have passed, which on a loaded machine may be before the other instance has even seen it open.
 */
let now = Date.now();
const clock: Clock = { now: () => now, mono: () => performance.now() };
const OPEN_MS = 300;

/** One gateway's view: its registry mirrored through its own connection to the shared Redis. */
async function instance(name: string) {
  const cluster = new RedisCluster({
    url: REDIS_URL,
    prefix,
    instance: name,
    version: "test",
    startedAt: Date.now(),
    logger: silentLogger,
  });
  await cluster.start();
  clusters.push(cluster);
  const health = new HealthRegistry(clock, { openMs: OPEN_MS, failureThreshold: 2 });
  health.attach(cluster.health);
  cluster.onLinkState((id, s) => health.adopt(id, s));
  return { cluster, health };
}

const fail = { message: "boom", useBreaker: true };

describeRedis("shared link health (two instances, one Redis)", () => {
  let a: Awaited<ReturnType<typeof instance>>;
  let b: Awaited<ReturnType<typeof instance>>;
  beforeAll(async () => {
    a = await instance("gw-a");
    b = await instance("gw-b");
  });
  afterAll(async () => {
    for (const c of clusters) await c.close();
    await dropPrefix(REDIS_URL, prefix);
  });

  it("a 429 seen by one instance cools the link down on the other for its Retry-After", async () => {
    const reported = now;
    a.health.failure(1, "rate_limited", { ...fail, status: 429, retryAfterMs: 30_000 });
    expect(a.health.available(1, true)).toBe(false);
    await until(() => !b.health.available(1, true), "the cooldown to reach the other instance");
    // The other instance holds the whole Retry-After, counted from the 429 (however long the way took).
    expect(b.health.snapshot(1).cooldown_until as number).toBeGreaterThanOrEqual(reported + 30_000);
    expect(b.health.unavailableBecause(1, true)).toBe("cooldown");
  });

  it("a breaker opened on one instance keeps the other off the link, and one half-open trial runs in all", async () => {
    a.health.failure(2, "server", { ...fail, status: 500 });
    a.health.failure(2, "server", { ...fail, status: 500 });
    expect(a.health.snapshot(2).breaker).toBe("open");
    await until(
      () => b.health.snapshot(2).breaker === "open",
      "the open breaker to reach the other instance",
    );
    expect(b.health.available(2, true)).toBe(false);

    // The open interval passes: both see the link half-open, only one of them gets the trial.
    now += OPEN_MS + 1;
    expect(a.health.available(2, true)).toBe(true);
    expect(b.health.available(2, true)).toBe(true);
    const leaseA = a.health.acquire(2) as number;
    const leaseB = b.health.acquire(2) as number;
    expect(leaseA).not.toBeNull();
    expect(leaseB).not.toBeNull();
    const [wonA, wonB] = await Promise.all([a.health.claimTrial(2, leaseA), b.health.claimTrial(2, leaseB)]);
    expect([wonA, wonB].filter(Boolean)).toHaveLength(1);
    const [winner, loser] = wonA ? [a, b] : [b, a];
    // The loser stays off the link while the winner's trial runs.
    expect(loser.health.available(2, true)).toBe(false);
    expect(loser.health.snapshot(2).trial_in_flight).toBe(true);

    winner.health.success(2);
    await until(
      () => loser.health.snapshot(2).breaker === "closed",
      "the trial's success to close the breaker everywhere",
    );
    expect(loser.health.available(2, true)).toBe(true);
  });

  it("a trial released without a verdict lets another instance try", async () => {
    a.health.failure(3, "network", fail);
    a.health.failure(3, "network", fail);
    await until(() => b.health.snapshot(3).breaker === "open", "the open breaker on the other instance");
    expect(b.health.available(3, true)).toBe(false);
    now += OPEN_MS + 1;
    expect(a.health.available(3, true)).toBe(true);
    expect(b.health.available(3, true)).toBe(true);
    const leaseA = a.health.acquire(3) as number;
    expect(await a.health.claimTrial(3, leaseA)).toBe(true);
    const leaseB = b.health.acquire(3) as number;
    expect(await b.health.claimTrial(3, leaseB)).toBe(false);
    expect(b.health.available(3, true)).toBe(false);

    a.health.release(3, leaseA);
    await until(
      () => b.health.available(3, true),
      "the released trial to free the link on the other instance",
    );
    const again = b.health.acquire(3) as number;
    expect(await b.health.claimTrial(3, again)).toBe(true);
  });

  it("a healthy link's successes write nothing to the shared state; a recovery does", async () => {
    const redis = new Bun.RedisClient(REDIS_URL);
    await redis.connect();
    for (let i = 0; i < 100; i++) a.health.success(4);
    // A change of another link after them, on the same connection: once it is stored, any earlier write is.
    a.health.failure(5, "rate_limited", { ...fail, status: 429 });
    await until(async () => (await redis.hget(`${prefix}links`, "5")) !== null, "the barrier change");
    expect(await redis.hget(`${prefix}links`, "4")).toBeNull();
    a.health.failure(4, "rate_limited", { ...fail, status: 429 });
    a.health.success(4);
    await until(async () => (await redis.hget(`${prefix}links`, "4")) !== null, "the recovery to be stored");
    redis.close();
  });
});
