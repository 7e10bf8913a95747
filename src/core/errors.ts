/** What went wrong, independent of any wire protocol; each protocol maps it to its own error type. */
export type ErrorCode =
  | "invalid_request"
  | "validation"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "rate_limited"
  | "capability_unavailable"
  | "upstream_error"
  | "upstream_timeout"
  | "unavailable"
  | "unsupported"
  | "internal";

/** The one error family of the gateway: a status, a code, a safe message, and optionally the field at fault. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "GatewayError";
  }
}

export const badRequest = (message: string, field?: string) =>
  new GatewayError(400, "invalid_request", message, field);
export const validationError = (field: string, message: string) =>
  new GatewayError(422, "validation", message, field);
export const notFound = (message: string) => new GatewayError(404, "not_found", message);
export const conflict = (message: string, field?: string) =>
  new GatewayError(409, "conflict", message, field);
export const unauthorized = (message = "missing or invalid credentials") =>
  new GatewayError(401, "unauthorized", message);

/** The admin API's error body: `{error: {code, message, field?}}`. */
export function adminErrorBody(err: GatewayError) {
  return { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } };
}
