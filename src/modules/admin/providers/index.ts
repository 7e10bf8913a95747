import { Elysia } from "elysia";
import { IdParams } from "../shared";
import type { AdminDeps } from "../shared";
import { adminBody } from "../../../http/admin-body";
import { adminAuth } from "../../../http/auth";
import type { AdminToken } from "../../../http/admin-token";
import { ProviderCreate, ProviderUpdate } from "./model";
import { providerService as svc } from "./service";

export const providersController = (d: AdminDeps, token: AdminToken) =>
  new Elysia({ prefix: "/providers", tags: ["providers"] })
    .use(adminAuth(token))
    .get("", () => svc.list(d), { isAdmin: true })
    .post("", async ({ body, status }) => status(201, await svc.create(d, body)), {
      isAdmin: true,
      ...adminBody(ProviderCreate),
    })
    .get("/:id", ({ params }) => svc.get(d, params.id), { isAdmin: true, params: IdParams })
    .put("/:id", ({ params, body }) => svc.update(d, params.id, body), {
      isAdmin: true,
      params: IdParams,
      ...adminBody(ProviderUpdate),
    })
    .delete("/:id", ({ params }) => svc.remove(d, params.id), { isAdmin: true, params: IdParams })
    .get("/:id/models", ({ params }) => svc.upstreamModels(d, params.id), {
      isAdmin: true,
      params: IdParams,
    });
