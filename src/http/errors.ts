import { Elysia } from "elysia";
import { adminErrorBody, GatewayError } from "../core/errors";
import type { Logger } from "../core/logger";

interface ValidationLike {
  all?: { path?: string; summary?: string; message?: string }[];
  message?: string;
}

/** The field named by an Elysia validation error, as `a.b` rather than a JSON pointer. */
function validationField(error: unknown): { field: string; message: string } {
  const first = (error as ValidationLike).all?.[0];
  const field = (first?.path ?? "").replace(/^\//, "").replaceAll("/", ".") || "body";
  return { field, message: `${field}: ${first?.summary ?? first?.message ?? "invalid value"}` };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });

/**
 * Turns every error that a route did not answer itself into a JSON error body with a real status:
 * validation → 422 naming the field, GatewayError → its status, anything else → 500 without details.
 */
export const errorHandler = (logger: Logger) =>
  new Elysia({ name: "error-handler" }).onError({ as: "global" }, ({ code, error, request }) => {
    if (error instanceof GatewayError) return json(error.status, adminErrorBody(error));
    // Elysia wraps whatever a parse hook throws (our bounded admin body reader's 413/422/400).
    const cause = code === "PARSE" ? (error as Error).cause : undefined;
    if (cause instanceof GatewayError) return json(cause.status, adminErrorBody(cause));
    switch (code) {
      case "VALIDATION": {
        const { field, message } = validationField(error);
        return json(422, { error: { code: "validation", message, field } });
      }
      case "PARSE":
        return json(400, { error: { code: "invalid_request", message: "request body is not valid JSON" } });
      case "NOT_FOUND":
        return json(404, {
          error: { code: "not_found", message: `no route for ${new URL(request.url).pathname}` },
        });
      default: {
        logger.error("unhandled error", { path: new URL(request.url).pathname, error: String(error) });
        return json(500, { error: { code: "internal", message: "internal error" } });
      }
    }
  });
