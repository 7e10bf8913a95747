import type { Database } from "bun:sqlite";
import { Elysia } from "elysia";
import type { AdminToken } from "../../../http/admin-token";
import { adminAuth } from "../../../http/auth";
import { IdParams } from "../shared";
import { LogQuery } from "./model";
import { logService as svc } from "./service";

/** Request records: filtered pages, and one record with its attempt chain and bodies. */
export const logsController = (db: Database, token: AdminToken) =>
  new Elysia({ prefix: "/logs", tags: ["logs"] })
    .use(adminAuth(token))
    .get("", ({ query }) => svc.list(db, query), { isAdmin: true, query: LogQuery })
    .get("/:id", ({ params }) => svc.get(db, params.id), { isAdmin: true, params: IdParams });
