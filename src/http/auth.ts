import { Elysia } from "elysia";
import { adminErrorBody, unauthorized } from "../core/errors";
import type { AdminToken } from "./admin-token";

/** Extracts a bearer token (or the bare header value) from an Authorization header. */
export function bearer(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return (m ? m[1] : header).trim() || undefined;
}

const isAdmin = (token: AdminToken, request: Request) => {
  const presented = bearer(request.headers.get("authorization"));
  return !!presented && token.verify(presented);
};

const UNAUTHORIZED = () =>
  new Response(JSON.stringify(adminErrorBody(unauthorized("missing or invalid admin token"))), {
    status: 401,
    headers: { "content-type": "application/json; charset=utf-8" },
  });

// `/api` or `/api/…` (any case, any number of leading slashes): a path trick must not slip past the guard.
const ADMIN_PATH = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\/+api(?:[/?#]|$)/i;

/**
 * Answers 401 to every /api request without the admin token in onRequest, the first step of Elysia's
 * lifecycle: before routing and before any parse hook, so an anonymous caller's body is never read
 * (a 60 MiB upload costs nothing) and learns nothing about schemas or routes.
 */
export const adminGuard = (token: AdminToken) =>
  new Elysia({ name: "admin-guard" }).onRequest(({ request }) => {
    if (ADMIN_PATH.test(request.url) && !isAdmin(token, request)) return UNAUTHORIZED();
  });

/** The `isAdmin` macro: a route that opts in answers 401 unless it carries the admin token. */
export const adminAuth = (token: AdminToken) =>
  new Elysia({ name: "admin-auth" }).macro({
    isAdmin: {
      // adminGuard has already refused an anonymous caller; this keeps the 401 in every admin route's
      // type for Eden and OpenAPI, and the check on a route mounted without the guard.
      beforeHandle({ request, status }) {
        if (!isAdmin(token, request))
          return status(401, adminErrorBody(unauthorized("missing or invalid admin token")));
      },
    },
  });
