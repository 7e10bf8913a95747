import { Elysia } from "elysia";
import type { AdminToken } from "../../../http/admin-token";
import { adminAuth } from "../../../http/auth";
import type { AdminDeps } from "../shared";
import { SeriesQuery, UseParams, UseQuery, WindowQuery } from "./model";
import { coalesce, metricsService as svc } from "./service";

/** Dashboard figures aggregated from the request records: totals, per model, over time, per provider. */
export const metricsApiController = (d: AdminDeps, token: AdminToken) => {
  // Dashboards refreshing at the same moment share each report instead of queueing it twice.
  const once = coalesce();
  const key = (path: string, q: object) => `${path} ${JSON.stringify(q)}`;
  return new Elysia({ prefix: "/metrics", tags: ["metrics"] })
    .use(adminAuth(token))
    .get(
      "/use/:days",
      ({ params, query }) =>
        once(key(`use/${params.days}`, query), () => svc.use(d, params.days, query.tz_offset_min)),
      { isAdmin: true, params: UseParams, query: UseQuery },
    )
    .get("/counts", ({ query }) => once(key("counts", query), () => svc.counts(d, query)), {
      isAdmin: true,
      query: WindowQuery,
    })
    .get("/series", ({ query }) => once(key("series", query), () => svc.series(d, query)), {
      isAdmin: true,
      query: SeriesQuery,
    })
    .get("/providers", ({ query }) => once(key("providers", query), () => svc.providers(d, query)), {
      isAdmin: true,
      query: WindowQuery,
    })
    .get("/percentiles", ({ query }) => once(key("percentiles", query), () => svc.latency(d, query)), {
      isAdmin: true,
      query: WindowQuery,
    });
};
