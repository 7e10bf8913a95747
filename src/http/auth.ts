import { Elysia } from "elysia";
import { adminErrorBody, unauthorized } from "../core/errors";
import type { AdminToken } from "./admin-token";

/** Extracts a bearer token (or the bare header value) from an Authorization header. */
export function bearer(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return (m ? m[1] : header).trim() || undefined;
}

/** The `isAdmin` macro: a route that opts in answers 401 unless it carries the admin token. */
export const adminAuth = (token: AdminToken) =>
  new Elysia({ name: "admin-auth" }).macro({
    isAdmin: {
      // transform runs before body/params validation, so an anonymous caller learns nothing about schemas.
      transform({ request }) {
        const presented = bearer(request.headers.get("authorization"));
        if (!presented || !token.verify(presented)) throw unauthorized("missing or invalid admin token");
      },
      // Kept so the 401 is part of every admin route's type for Eden and OpenAPI.
      beforeHandle({ request, status }) {
        const presented = bearer(request.headers.get("authorization"));
        if (!presented || !token.verify(presented)) {
          return status(401, adminErrorBody(unauthorized("missing or invalid admin token")));
        }
      },
    },
  });
