import { Elysia, t } from "elysia";
import type { AdminToken } from "../../../http/admin-token";
import { adminAuth } from "../../../http/auth";
import type { AdminDeps } from "../shared";

const HOUR = 3_600_000;

export const LatencyQuery = t.Object({
  hours: t.Optional(
    t.Integer({ minimum: 1, maximum: 24 * 365, description: "the last N hours; default 24" }),
  ),
});

/**
 * Latency percentiles (p50 / p95), time to first token and error rate per model and per provider over the
 * last N hours, from the rollups' histograms (within 9%; the records for the partial hours at the edges),
 * computed on the analytics thread like every report. A request no link answered counts for the provider it
 * last tried. `GET /api/metrics/percentiles` gives overall and per-provider figures for whole local days.
 */
export const latencyController = (d: AdminDeps, token: AdminToken) =>
  new Elysia({ prefix: "/metrics", tags: ["metrics"] }).use(adminAuth(token)).get(
    "/latency",
    ({ query }) => {
      const to = d.clock.now() + 1;
      return d.analytics.run("latencyGroups", to - (query.hours ?? 24) * HOUR, to);
    },
    { isAdmin: true, query: LatencyQuery },
  );
