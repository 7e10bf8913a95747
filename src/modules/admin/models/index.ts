import { Elysia } from "elysia";
import type { AdminToken } from "../../../http/admin-token";
import { adminBody } from "../../../http/admin-body";
import { adminAuth } from "../../../http/auth";
import { type AdminDeps, IdParams } from "../shared";
import { ModelCreate, ModelUpdate } from "./model";
import { modelService as svc } from "./service";

export const modelsController = (d: AdminDeps, token: AdminToken) =>
  new Elysia({ prefix: "/models", tags: ["models"] })
    .use(adminAuth(token))
    .get("", () => svc.list(d), { isAdmin: true })
    .post("", async ({ body, status }) => status(201, await svc.create(d, body)), {
      isAdmin: true,
      ...adminBody(ModelCreate),
    })
    .get("/:id", ({ params }) => svc.get(d, params.id), { isAdmin: true, params: IdParams })
    .put("/:id", ({ params, body }) => svc.update(d, params.id, body), {
      isAdmin: true,
      params: IdParams,
      ...adminBody(ModelUpdate),
    })
    .delete("/:id", ({ params }) => svc.remove(d, params.id), { isAdmin: true, params: IdParams });
