import { Elysia } from "elysia";
import { adminErrorBody, conflict } from "../../../core/errors";
import type { AdminToken } from "../../../http/admin-token";
import { adminBody } from "../../../http/admin-body";
import { adminAuth } from "../../../http/auth";
import type { GatewayRuntime } from "../../../runtime";
import { SettingsUpdate } from "./model";

/** Console settings: the request-log retention window and its last run, and the admin token's reset. */
export const settingsController = (runtime: GatewayRuntime, token: AdminToken) => {
  const read = async () => ({
    log_retention_days: await runtime.retention.days(),
    log_retention_last_run: await runtime.retention.lastRun(),
    admin_token: { source: token.source, resettable: token.reset !== undefined },
  });
  return new Elysia({ prefix: "/settings", tags: ["settings"] })
    .use(adminAuth(token))
    .get("", read, { isAdmin: true })
    .put(
      "",
      async ({ body }) => {
        await runtime.retention.setDays(body.log_retention_days);
        return read();
      },
      { isAdmin: true, ...adminBody(SettingsUpdate) },
    )
    .post("/retention/run", () => runtime.retention.runNow(), { isAdmin: true })
    .post(
      "/token/reset",
      async ({ status }) => {
        if (!token.reset)
          return status(
            409,
            adminErrorBody(
              conflict("the admin token comes from the TOKEN environment variable: change it there"),
            ),
          );
        const next = await token.reset();
        // The other instances re-read the stored hash with the configuration notice.
        await runtime.reload();
        return { token: next };
      },
      { isAdmin: true },
    );
};
