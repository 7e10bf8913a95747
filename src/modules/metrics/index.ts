import { Elysia } from "elysia";
import { adminErrorBody, unauthorized } from "../../core/errors";
import type { AdminToken } from "../../http/admin-token";
import { bearer } from "../../http/auth";
import type { GatewayRuntime } from "../../runtime";

/** Prometheus text at /metrics; it needs the admin token unless METRICS_PUBLIC is set. */
export const metricsController = (
  runtime: GatewayRuntime,
  token: AdminToken,
  isPublic: boolean,
  startedAt: number,
) =>
  new Elysia({ name: "metrics" }).get("/metrics", ({ request, status }) => {
    if (!isPublic) {
      const presented = bearer(request.headers.get("authorization"));
      if (!presented || !token.verify(presented)) return status(401, adminErrorBody(unauthorized()));
    }
    const r = runtime.recorder;
    const text = runtime.metrics.render({
      uptimeS: (Date.now() - startedAt) / 1000,
      recorder: { pending: r.pending, written: r.written, dropped: r.dropped, failed: r.failed },
      links: runtime.health.all(),
      cluster: { shared: runtime.cluster.mode === "redis", degraded: runtime.cluster.degraded },
    });
    return new Response(text, { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
  });
