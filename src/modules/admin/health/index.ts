import { Elysia } from "elysia";
import type { GatewayRuntime } from "../../../runtime";
import type { AdminToken } from "../../../http/admin-token";
import { adminAuth } from "../../../http/auth";

/** Live link health (429 cooldowns, breakers, recent failures) and the record writer's counters. */
export const healthController = (runtime: GatewayRuntime, token: AdminToken) =>
  new Elysia({ prefix: "/health", tags: ["health"] }).use(adminAuth(token)).get(
    "/",
    () => {
      const links = runtime
        .snapshot()
        .all.models()
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
      return {
        // Server time (epoch ms), so a client can correct its countdowns for clock skew.
        now: Date.now(),
        links,
        recorder: { pending: r.pending, written: r.written, dropped: r.dropped, failed: r.failed },
      };
    },
    { isAdmin: true },
  );
