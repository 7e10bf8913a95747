import { Elysia } from "elysia";
import type { Clock } from "../../../core/clock";
import type { GatewayRuntime } from "../../../runtime";
import type { AdminToken } from "../../../http/admin-token";
import { adminAuth } from "../../../http/auth";

/**
 * Live link health (429 cooldowns, breakers, recent failures), the record writer's counters, and the
 * instances sharing the live state (this one alone without REDIS_URL).
 */
export const healthController = (runtime: GatewayRuntime, token: AdminToken, clock: Clock) =>
  new Elysia({ prefix: "/health", tags: ["health"] }).use(adminAuth(token)).get(
    "/",
    async () => {
      const links = runtime
        .routes()
        .models()
        .flatMap((m) =>
          m.links.map((l) => ({
            ...runtime.health.snapshot(l.id),
            model: m.name,
            provider_id: l.provider.id,
            provider_name: l.provider.name,
            provider_model: l.providerModel,
          })),
        );
      const r = runtime.recorder;
      const c = runtime.cluster;
      return {
        // Server time (epoch ms), so a client can correct its countdowns for clock skew.
        now: clock.now(),
        links,
        recorder: { pending: r.pending, written: r.written, dropped: r.dropped, failed: r.failed },
        instance: c.instance,
        // degraded: Redis is set but unreachable, so limits and link health are this instance's own.
        cluster: { mode: c.mode, degraded: c.degraded, instances: await c.instances() },
      };
    },
    { isAdmin: true },
  );
