import { Elysia } from "elysia";
import type { AdminToken } from "../../../http/admin-token";
import { adminBody } from "../../../http/admin-body";
import { adminAuth } from "../../../http/auth";
import { type AdminDeps, IdParams } from "../shared";
import { ExchangeRate, KeyCreate, KeyUpdate } from "./model";
import { keyService as svc } from "./service";

/** Client API keys: created and rotated keys are answered in full once; reads show only the prefix. */
export const keysController = (d: AdminDeps, token: AdminToken) =>
  new Elysia({ prefix: "/keys", tags: ["keys"] })
    .use(adminAuth(token))
    .get("", () => svc.list(d), { isAdmin: true })
    .post("", async ({ body, status }) => status(201, await svc.create(d, body)), {
      isAdmin: true,
      ...adminBody(KeyCreate),
    })
    // Spend in the currency a key is not in is converted at this rate (setting `usd_cny_rate`).
    .get("/exchange-rate", () => svc.exchangeRate(d), { isAdmin: true })
    .put("/exchange-rate", ({ body }) => svc.setExchangeRate(d, body.usd_cny_rate), {
      isAdmin: true,
      ...adminBody(ExchangeRate),
    })
    .get("/:id", ({ params }) => svc.get(d, params.id), { isAdmin: true, params: IdParams })
    .put("/:id", ({ params, body }) => svc.update(d, params.id, body), {
      isAdmin: true,
      params: IdParams,
      ...adminBody(KeyUpdate),
    })
    .post("/:id/rotate", ({ params }) => svc.rotate(d, params.id), { isAdmin: true, params: IdParams })
    .delete("/:id", ({ params }) => svc.remove(d, params.id), { isAdmin: true, params: IdParams });
