import { Elysia, t } from "elysia";
import type { AdminToken } from "../../../http/admin-token";
import { adminAuth } from "../../../http/auth";
import { latencyByGroup } from "../../../storage/latency";
import type { AdminDeps } from "../shared";

const HOUR = 3_600_000;

export const LatencyQuery = t.Object({
  hours: t.Optional(
    t.Integer({ minimum: 1, maximum: 24 * 365, description: "the last N hours; default 24" }),
  ),
});

/**
 * Latency percentiles (p50 / p95), time to first token and error rate per model and per provider, computed
 * from request_logs over the last N hours (the analytics rollups will carry histograms for this).
 */
export const latencyController = (d: AdminDeps, token: AdminToken) =>
  new Elysia({ prefix: "/metrics", tags: ["metrics"] }).use(adminAuth(token)).get(
    "/latency",
    ({ query }) => {
      const to = d.clock.now() + 1;
      const from = to - (query.hours ?? 24) * HOUR;
      return {
        from,
        to,
        models: latencyByGroup(d.db, "model", from, to),
        providers: latencyByGroup(d.db, "provider", from, to),
      };
    },
    { isAdmin: true, query: LatencyQuery },
  );
