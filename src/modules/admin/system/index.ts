import { Elysia } from "elysia";
import { VERSION } from "../../../core/version";
import type { AdminToken } from "../../../http/admin-token";
import { adminAuth } from "../../../http/auth";

/** Version and a token check for the UI's login page. */
export const systemController = (token: AdminToken, startedAt: number) =>
  new Elysia({ tags: ["system"] })
    .use(adminAuth(token))
    .get("/version", () => ({ version: VERSION, started_at: startedAt, runtime: `bun ${Bun.version}` }), {
      isAdmin: true,
    })
    .get("/auth/check", () => ({ ok: true as const }), { isAdmin: true });
