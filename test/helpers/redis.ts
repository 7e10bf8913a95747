/**
 * Real Redis for the shared-state tests: the machine's service (each test file under its own key prefix,
 * cleaned up after), or a `redis-server` a test starts on a free port when it must stop it. Without Redis
 * the suites skip with one line naming what is missing; under CI=true they fail instead.
 */
import { RedisClient, type Subprocess } from "bun";
import { describe } from "bun:test";
import { freePort } from "../smoke/process";

export const REDIS_URL = process.env.REDIS_TEST_URL ?? "redis://127.0.0.1:6379";

async function reachable(url: string): Promise<boolean> {
  const c = new RedisClient(url, {
    autoReconnect: false,
    connectionTimeout: 1000,
    enableOfflineQueue: false,
  });
  try {
    await c.connect();
    return (await c.send("PING", [])) === "PONG";
  } catch {
    return false;
  } finally {
    c.close();
  }
}

const serviceUp = await reachable(REDIS_URL);
const serverBinary = Bun.which("redis-server");

/**
 * `describe` when what the suite needs is here; otherwise one line naming what is missing and a skipped
 * suite, or (CI=true) a failure, since CI must run them.
 */
export function describeWithRedis(name: string, needs: { server?: boolean; service?: boolean }) {
  const missing: string[] = [];
  if (needs.service && !serviceUp) missing.push(`a Redis at ${REDIS_URL} (set REDIS_TEST_URL)`);
  if (needs.server && !serverBinary) missing.push("the redis-server binary on PATH");
  if (missing.length === 0) return describe;
  if (process.env.CI === "true") throw new Error(`${name}: CI needs ${missing.join(" and ")}`);
  console.log(`skipping "${name}": no ${missing.join(" and no ")}`);
  return describe.skip;
}

/** A key prefix no other test run uses. */
export const testPrefix = (label: string) =>
  `llmio-test:${label}:${process.pid}:${Math.random().toString(36).slice(2, 8)}:`;

/** Deletes every key under `prefix`. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const c = new RedisClient(url, { autoReconnect: false });
  try {
    await c.connect();
    let cursor = "0";
    do {
      const [next, keys] = (await c.send("SCAN", [cursor, "MATCH", `${prefix}*`, "COUNT", "500"])) as [
        string,
        string[],
      ];
      cursor = next;
      if (keys.length) await c.send("DEL", keys);
    } while (cursor !== "0");
  } finally {
    c.close();
  }
}

/** A client for a test's own look at Redis. */
export async function redisClient(url = REDIS_URL): Promise<RedisClient> {
  const c = new RedisClient(url, { autoReconnect: false });
  await c.connect();
  return c;
}

/** A `redis-server` of the test's own on a free port, which the test may stop and start again. */
export interface OwnRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * On a port from freePort(), and on another one when something took that port before redis-server bound it
 * (it then exits at once). A restart (start() after stop()) reuses the port: the gateways know only that URL.
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  for (let attempt = 1; ; attempt++) {
    const own = ownRedis(freePort());
    try {
      await own.start();
      return own;
    } catch (err) {
      await own.stop();
      if (attempt === 5 || !(err instanceof ExitedEarly)) throw err;
    }
  }
}

/** redis-server exited before it answered: most likely its port was taken. */
class ExitedEarly extends Error {}

function ownRedis(port: number): OwnRedis {
  const url = `redis://127.0.0.1:${port}`;
  let proc: Subprocess | null = null;
  return {
    url,
    port,
    async start() {
      const p = Bun.spawn(
        [
          serverBinary as string,
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          "no",
        ],
        { stdio: ["ignore", "ignore", "ignore"] },
      );
      proc = p;
      const deadline = performance.now() + 20_000;
      while (!(await reachable(url))) {
        if (p.exitCode !== null) throw new ExitedEarly(`redis-server on port ${port} exited (${p.exitCode})`);
        if (performance.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
        await Bun.sleep(20);
      }
    },
    async stop() {
      const p = proc;
      proc = null;
      if (!p) return;
      p.kill("SIGKILL");
      await p.exited;
    },
  };
}
