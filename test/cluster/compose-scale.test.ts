// compose.scale.yaml cannot be run here (no Docker engine, no image registry): its structure is checked
// instead, against the pieces that are run for real (deploy/nginx.conf in test/cluster/nginx.test.ts, the
// gateway's configuration and /readyz). Parsed with Bun's YAML reader.
import { describe, expect, it } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");

type Service = {
  image?: string;
  build?: string;
  deploy?: { replicas?: number };
  environment?: string[] | Record<string, string>;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition?: string }> | string[];
  volumes?: string[];
  ports?: string[];
  stop_grace_period?: string;
  command?: string[];
};

const compose = Bun.YAML.parse(readFileSync(join(ROOT, "compose.scale.yaml"), "utf8")) as {
  services: Record<string, Service>;
};
const services = compose.services;

/** A service's environment as a map (compose accepts a KEY=value list or a mapping). */
function env(s: Service): Record<string, string> {
  const e = s.environment ?? {};
  if (!Array.isArray(e)) return e;
  return Object.fromEntries(
    e.map((kv) => {
      const i = kv.indexOf("=");
      return [kv.slice(0, i), kv.slice(i + 1)];
    }),
  );
}

const healthCommand = (s: Service) => {
  const t = s.healthcheck?.test;
  return Array.isArray(t) ? t.join(" ") : (t ?? "");
};

/** The seconds of a compose duration such as "40s" or "1m30s". */
function seconds(d: string): number {
  let total = 0;
  for (const [, n, unit] of d.matchAll(/(\d+)(h|m|s)/g))
    total += Number(n) * (unit === "h" ? 3600 : unit === "m" ? 60 : 1);
  return total;
}

describe("compose.scale.yaml", () => {
  it("has PostgreSQL, Redis, the llmio replicas and a load balancer, the stores with health checks", () => {
    expect(Object.keys(services).sort()).toEqual(["lb", "llmio", "postgres", "redis"]);
    expect(services.postgres?.image).toMatch(/^postgres:\d+/);
    expect(healthCommand(services.postgres as Service)).toContain("pg_isready");
    expect(services.redis?.image).toMatch(/^redis:\d+/);
    expect(healthCommand(services.redis as Service)).toContain("redis-cli ping");
  });

  it("runs two llmio replicas on the shared PostgreSQL and Redis, started once both are healthy", () => {
    const llmio = services.llmio as Service;
    expect(llmio.build).toBe(".");
    expect(llmio.deploy?.replicas).toBe(2);
    const e = env(llmio);
    const pg = env(services.postgres as Service);
    const url = new URL(e.DATABASE_URL?.replace("${POSTGRES_PASSWORD:-llmio}", "pw") ?? "");
    expect(url.protocol).toBe("postgres:");
    expect(url.host).toBe("postgres:5432");
    expect(url.username).toBe(pg.POSTGRES_USER as string);
    expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`);
    // One password variable for the server and the replicas' URL.
    expect(e.DATABASE_URL).toContain("${POSTGRES_PASSWORD:-llmio}");
    expect(pg.POSTGRES_PASSWORD).toBe("${POSTGRES_PASSWORD:-llmio}");
    expect(e.REDIS_URL).toBe("redis://redis:6379");
    // Every replica shares one admin token; compose refuses to start without it.
    expect(e.TOKEN).toMatch(/^\$\{TOKEN:\?/);
    expect(e.TRUST_PROXY).toBe("true");
    expect(llmio.depends_on).toEqual({
      postgres: { condition: "service_healthy" },
      redis: { condition: "service_healthy" },
    });
    // docker stop waits past the gateway's own grace, so in-flight requests finish before SIGKILL.
    expect(seconds(llmio.stop_grace_period ?? "10s")).toBeGreaterThan(Number(e.SHUTDOWN_GRACE_S));
  });

  it("checks each replica's health on /readyz, which answers 503 while it drains", () => {
    const cmd = healthCommand(services.llmio as Service);
    expect(cmd).toContain("GET /readyz ");
    expect(cmd).toMatch(/\^HTTP\/1\\\.\[01\] 200/);
  });

  it("puts nginx in front with deploy/nginx.conf and the upstream list it includes, once the replicas are ready", () => {
    const lb = services.lb as Service;
    const conf = readFileSync(join(ROOT, "deploy", "nginx.conf"), "utf8");
    const include = /^\s*include (\S+);/m.exec(conf)?.[1];
    expect(include).toBe("nginx-upstreams.conf");
    expect(lb.volumes).toEqual([
      "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro",
      `./deploy/${include}:/etc/nginx/${include}:ro`,
    ]);
    for (const v of lb.volumes ?? []) expect(existsSync(join(ROOT, v.split(":")[0] as string))).toBe(true);
    // The published port is the one nginx listens on.
    const listen = /^\s*listen (\d+);/m.exec(conf)?.[1];
    expect(lb.ports).toEqual([`${listen}:${listen}`]);
    expect(lb.depends_on).toEqual({ llmio: { condition: "service_healthy" } });
    // The upstream list names the replicas' service on the gateway's port, re-resolved (nginx ≥ 1.27.3).
    const upstreams = readFileSync(join(ROOT, "deploy", include as string), "utf8");
    expect(upstreams).toMatch(/^server llmio:7070 resolve;$/m);
    expect(upstreams).toMatch(/^resolver 127\.0\.0\.11 /m);
    const tag = /^nginx:(\d+)\.(\d+)(?:\.(\d+))?$/.exec(lb.image ?? "");
    expect(tag).not.toBeNull();
    // A tag without a patch level ("1.28") is the newest release of that line.
    const [major, minor] = [Number(tag?.[1]), Number(tag?.[2])];
    const patch = tag?.[3] === undefined ? Number.POSITIVE_INFINITY : Number(tag[3]);
    expect(major > 1 || minor > 27 || (minor === 27 && patch >= 3)).toBe(true);
  });
});
