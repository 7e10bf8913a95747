import { Elysia } from "elysia";
import type { Lifecycle } from "../../core/lifecycle";

/**
 * `GET /readyz`, for load balancers and orchestrators, without a token (it tells nothing but readiness):
 * 200 while the gateway takes requests, 503 from the moment it began shutting down, so traffic drains
 * away while the requests in flight finish.
 */
export const readinessController = (lifecycle: Lifecycle) =>
  new Elysia({ name: "readiness" }).get("/readyz", ({ status }) =>
    lifecycle.draining
      ? status(503, { ready: false as const, reason: "shutting down" })
      : { ready: true as const },
  );
