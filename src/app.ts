import type { Database } from "bun:sqlite";
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import type { Config } from "./config";
import { type Clock, type Random, systemClock, systemRandom } from "./core/clock";
import { type Logger, silentLogger } from "./core/logger";
import { VERSION } from "./core/version";
import type { AdminToken } from "./http/admin-token";
import { errorHandler } from "./http/errors";
import { adminModule } from "./modules/admin";
import type { HttpClient } from "./providers/registry";

/** Everything the app needs from outside; tests pass their own. */
export interface AppDeps {
  db: Database;
  config: Config;
  adminToken: AdminToken;
  logger?: Logger;
  clock?: Clock;
  random?: Random;
  /** The HTTP client for upstream calls (real fetch; tests point providers at a fake upstream). */
  http?: HttpClient;
}

/** Composes the gateway: error handling, admin API, OpenAPI document. */
export function createApp(deps: AppDeps) {
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? systemRandom;
  const http: HttpClient = deps.http ?? ((url, init) => fetch(url, init));
  const startedAt = clock.now();
  void random;
  const adminDeps = { db: deps.db, clock, logger, config: deps.config, http, onConfigChange: () => {} };

  return new Elysia()
    .use(errorHandler(logger))
    .use(
      openapi({
        path: "/openapi",
        specPath: "/openapi/json",
        documentation: { info: { title: "llmio admin API", version: VERSION } },
        exclude: { paths: [/^\/v1/, /^\/v1beta/, /^\/openai/, /^\/anthropic/, /^\/gemini/] },
      }),
    )
    .use(adminModule(adminDeps, deps.adminToken, startedAt));
}

export type App = ReturnType<typeof createApp>;
