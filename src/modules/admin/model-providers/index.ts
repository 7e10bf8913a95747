import { Elysia } from "elysia";
import type { AdminToken } from "../../../http/admin-token";
import { adminBody } from "../../../http/admin-body";
import { adminAuth } from "../../../http/auth";
import { type AdminDeps, IdParams } from "../shared";
import { BulkLinks, bulkLink } from "./bulk";
import { LinkCreate, LinkQuery, LinkUpdate } from "./model";
import { testLink } from "./probe";
import { linkService as svc } from "./service";

export const modelProvidersController = (d: AdminDeps, token: AdminToken) =>
  new Elysia({ prefix: "/model-providers", tags: ["model-providers"] })
    .use(adminAuth(token))
    .get("", ({ query }) => svc.list(d, query.model_id), { isAdmin: true, query: LinkQuery })
    .post("", async ({ body, status }) => status(201, await svc.create(d, body)), {
      isAdmin: true,
      ...adminBody(LinkCreate),
    })
    .get("/:id", ({ params }) => svc.get(d, params.id), { isAdmin: true, params: IdParams })
    .put("/:id", ({ params, body }) => svc.update(d, params.id, body), {
      isAdmin: true,
      params: IdParams,
      ...adminBody(LinkUpdate),
    })
    .delete("/:id", ({ params }) => svc.remove(d, params.id), { isAdmin: true, params: IdParams })
    .post("/:id/test", ({ params }) => testLink(d, params.id), { isAdmin: true, params: IdParams })
    .post("/bulk", async ({ body, status }) => status(201, await bulkLink(d, body)), {
      isAdmin: true,
      ...adminBody(BulkLinks),
    });
