import { Elysia } from "elysia";
import type { AdminToken } from "../../../http/admin-token";
import { adminAuth } from "../../../http/auth";
import type { AnalyticsReader } from "../../../telemetry/analytics";
import { IdParams } from "../shared";
import { LogQuery } from "./model";
import { logService as svc } from "./service";

/** Request records: filtered pages, and one record with its attempt chain and bodies. */
export const logsController = (analytics: AnalyticsReader, token: AdminToken) =>
  new Elysia({ prefix: "/logs", tags: ["logs"] })
    .use(adminAuth(token))
    .get("", ({ query }) => svc.list(analytics, query), { isAdmin: true, query: LogQuery })
    .get("/:id", ({ params }) => svc.get(analytics, params.id), { isAdmin: true, params: IdParams });
