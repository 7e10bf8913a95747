import { afterAll, afterEach, beforeAll, expect, it, setDefaultTimeout } from "bun:test";
import { RedisCluster, type RedisClusterOptions } from "../../src/cluster/redis";
import { systemClock } from "../../src/core/clock";
import { GatewayError } from "../../src/core/errors";
import { silentLogger } from "../../src/core/logger";
import {
  KeyLimiter,
  type KeyLimits,
  type LimitError,
  type Reservation,
} from "../../src/modules/proxy/limits";
import { SharedKeyLimiter } from "../../src/modules/proxy/shared-limits";
import type { RequestRecord } from "../../src/storage/request-record";
import { describeWithRedis, dropPrefix, REDIS_URL, testPrefix } from "../helpers/redis";
import { SETTLE_MS } from "../helpers/until";

// Processes, Redis or PostgreSQL on a loaded machine: each test (and hook) gets its own time, with or
// without --timeout.
setDefaultTimeout(60_000);

const describeRedis = describeWithRedis("shared key limits", { service: true });

const prefix = testPrefix("limits");
const clusters: RedisCluster[] = [];

async function instance(name: string, extra: Partial<RedisClusterOptions> = {}) {
  const cluster = new RedisCluster({
    url: REDIS_URL,
    prefix,
    instance: name,
    version: "test",
    startedAt: Date.now(),
    logger: silentLogger,
    ...extra,
  });
  await cluster.start();
  clusters.push(cluster);
  const limiter = new SharedKeyLimiter(cluster, cluster.limits, new KeyLimiter(systemClock), () =>
    performance.now(),
  );
  return { cluster, limiter };
}

const limits = (over: Partial<KeyLimits>): KeyLimits => ({
  rpmLimit: null,
  tpmLimit: null,
  budget: null,
  spent: 0,
  currency: "USD",
  usdCnyRate: 7.2,
  ...over,
});

async function refusal(p: Reservation | Promise<Reservation>): Promise<LimitError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as LimitError;
  }
  throw new Error("expected a refusal");
}

/** A record as the proxy makes it, with only what settling reads. */
const settled = (keyId: number, tokens: number, cost: number) =>
  ({
    key_id: keyId,
    usage: { input: tokens, cachedRead: 0, cacheWrite: 0, output: 0, reasoning: 0 },
    cost,
  }) as RequestRecord;

let nextKey = 1;

describeRedis("shared key limits (two instances, one Redis)", () => {
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
  afterEach(() => {
    nextKey++;
  });

  it("admits rpm_limit requests per minute in total across the instances, then 429 with Retry-After", async () => {
    const key = nextKey;
    const l = limits({ rpmLimit: 6 });
    const worst = { tokens: 10, cost: 0 };
    const started = performance.now();
    for (let i = 0; i < 6; i++) {
      const r = await (i % 2 ? b : a).limiter.admit(key, l, worst);
      expect(r.ref).toBeString();
    }
    const err = await refusal(b.limiter.admit(key, l, worst));
    expect(err.status).toBe(429);
    expect(err.message).toContain("6 requests per minute");
    // The first admission's slot frees a minute after it was taken, however slow the round trips were.
    expect(err.retryAfterS).toBeGreaterThanOrEqual(Math.floor(60 - secondsSince(started)));
    expect(err.retryAfterS).toBeLessThanOrEqual(60);
    expect((await refusal(a.limiter.admit(key, l, worst))).status).toBe(429);
  });

  it("holds a budget exactly: reservations made on one instance hold back the other", async () => {
    const key = nextKey;
    const l = limits({ budget: 1 });
    const r1 = await a.limiter.admit(key, l, { tokens: 100, cost: 0.6 });
    // 0.6 reserved < 1: admitted, though it may take the key past its budget by its own cost.
    const r2 = await b.limiter.admit(key, l, { tokens: 100, cost: 0.6 });
    const held = await refusal(a.limiter.admit(key, l, { tokens: 1, cost: 0.01 }));
    expect(held.status).toBe(429);
    expect(held.message).toContain("budget reserved");
    // Settling to the real (small) cost frees the rest of the budget for everyone.
    a.limiter.settle(settled(key, 10, 0.1), r1);
    b.limiter.settle(settled(key, 10, 0.2), r2);
    await Bun.sleep(0);
    const r3 = await waitAdmit(() => b.limiter.admit(key, l, { tokens: 1, cost: 0.69 }));
    b.limiter.settle(settled(key, 1, 0.7), r3);
    const spent = await waitRefusal(() => a.limiter.admit(key, l, { tokens: 1, cost: 0.01 }), 403);
    expect(spent.message).toContain("budget exhausted: this API key has spent 1 of its 1 USD");
  });

  it("takes the database's spent when it is ahead of the shared figure", async () => {
    const key = nextKey;
    const err = await refusal(a.limiter.admit(key, limits({ budget: 5, spent: 5 }), { tokens: 1, cost: 0 }));
    expect(err.status).toBe(403);
  });

  it("counts settled tokens of every instance in one tpm window", async () => {
    const key = nextKey;
    const l = limits({ tpmLimit: 1000 });
    const r1 = await a.limiter.admit(key, l, { tokens: 400, cost: 0 });
    const r2 = await b.limiter.admit(key, l, { tokens: 400, cost: 0 });
    // 800 held in flight: a request whose worst case still fits is admitted, the window is then full.
    const r3 = await a.limiter.admit(key, l, { tokens: 200, cost: 0 });
    expect((await refusal(b.limiter.admit(key, l, { tokens: 1, cost: 0 }))).message).toContain(
      "in flight hold",
    );
    const settling = performance.now();
    a.limiter.settle(settled(key, 500, 0), r1);
    b.limiter.settle(settled(key, 500, 0), r2);
    a.limiter.settle(settled(key, 1, 0), r3);
    const full = await waitRefusal(
      () => b.limiter.admit(key, l, { tokens: 1, cost: 0 }),
      429,
      "reached: 1000 tokens",
    );
    // The settled tokens leave the window a minute after they were counted, however long that took.
    expect(full.retryAfterS).toBeGreaterThanOrEqual(Math.floor(60 - secondsSince(settling)));
  });

  it("frees the reservations of an instance that stopped beating", async () => {
    const key = nextKey;
    const l = limits({ budget: 1 });
    // Beats often and is given up on soon, yet not so soon that a live instance on a loaded machine (a beat
    // late by a second) loses its reservation before the refusal below.
    const fast = { heartbeatMs: 100, instanceTtlMs: 2_000 };
    const c = await instance("gw-c", fast);
    const d = await instance("gw-d", fast);
    await c.limiter.admit(key, l, { tokens: 1, cost: 1 });
    expect((await refusal(d.limiter.admit(key, l, { tokens: 1, cost: 0.01 }))).message).toContain(
      "budget reserved",
    );
    // Killed before it could settle: its heartbeat stops, and its reservation stops counting.
    await c.cluster.close();
    await waitAdmit(() => d.limiter.admit(key, l, { tokens: 1, cost: 0.01 }));
  });
});

const secondsSince = (t: number) => (performance.now() - t) / 1000;

/** Retries an admission until it passes (settles are fire and forget). */
async function waitAdmit(admit: () => Reservation | Promise<Reservation>): Promise<Reservation> {
  const deadline = performance.now() + SETTLE_MS;
  for (;;) {
    try {
      return await admit();
    } catch (err) {
      if (performance.now() > deadline) throw err;
      await Bun.sleep(20);
    }
  }
}

async function waitRefusal(
  admit: () => Reservation | Promise<Reservation>,
  status: number,
  text = "",
): Promise<LimitError> {
  const deadline = performance.now() + SETTLE_MS;
  for (;;) {
    try {
      await admit();
    } catch (err) {
      const e = err as LimitError;
      if (e.status === status && e.message.includes(text)) return e;
    }
    if (performance.now() > deadline) throw new Error(`no ${status} refusal within ${SETTLE_MS} ms`);
    await Bun.sleep(20);
  }
}
