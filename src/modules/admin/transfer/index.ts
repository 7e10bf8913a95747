import { Elysia } from "elysia";
import type { AdminToken } from "../../../http/admin-token";
import { adminBody } from "../../../http/admin-body";
import { adminAuth } from "../../../http/auth";
import type { AdminDeps } from "../shared";
import { IMPORT_BODY_LIMIT, importLlmio, readUpload } from "./llmio";
import { ConfigExport, ExportQuery, ImportBody, ImportQuery, ImportResult } from "./model";
import { transferService as svc } from "./service";

/** Configuration export and import, and the move from an original llmio database. */
export const transferController = (d: AdminDeps, token: AdminToken) =>
  new Elysia({ tags: ["transfer"] })
    .use(adminAuth(token))
    .get("/export", ({ query }) => svc.exportConfig(d, query.include_secrets === true), {
      isAdmin: true,
      query: ExportQuery,
      response: ConfigExport,
    })
    .post("/import", ({ body, query }) => svc.importConfig(d, body, query.mode ?? "merge"), {
      isAdmin: true,
      ...adminBody(ImportBody, IMPORT_BODY_LIMIT),
      query: ImportQuery,
      response: ImportResult,
    })
    // The raw SQLite file as the body; read by the handler, under a limit, never parsed by Elysia.
    .post("/import/llmio", async ({ request }) => importLlmio(d, await readUpload(request)), {
      isAdmin: true,
      parse: "none",
      response: ImportResult,
    });
