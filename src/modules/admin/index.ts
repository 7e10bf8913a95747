import { Elysia } from "elysia";
import type { AdminToken } from "../../http/admin-token";
import { adminGuard } from "../../http/auth";
import type { GatewayRuntime } from "../../runtime";
import { healthController } from "./health";
import { keysController } from "./keys";
import { latencyController } from "./latency";
import { logsController } from "./logs";
import { metricsApiController } from "./metrics";
import { modelProvidersController } from "./model-providers";
import { modelsController } from "./models";
import { providersController } from "./providers";
import type { AdminDeps } from "./shared";
import { settingsController } from "./settings";
import { systemController } from "./system";
import { transferController } from "./transfer";

/** Every /api route: the guard refuses a request without the admin token before anything else runs. */
export const adminModule = (d: AdminDeps, token: AdminToken, startedAt: number, runtime: GatewayRuntime) =>
  new Elysia({ prefix: "/api" })
    .use(adminGuard(token))
    .use(systemController(token, startedAt))
    .use(providersController(d, token))
    .use(modelsController(d, token))
    .use(modelProvidersController(d, token))
    .use(keysController(d, token))
    .use(logsController(d.analytics, token))
    .use(metricsApiController(d, token))
    .use(healthController(runtime, token, d.clock))
    .use(transferController(d, token))
    .use(settingsController(runtime, token))
    .use(latencyController(d, token));
