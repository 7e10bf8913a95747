import type { GatewayError } from "../../core/errors";

/** Google's canonical status name for an HTTP status. */
export function geminiErrorStatus(status: number): string {
  switch (status) {
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 503:
      return "UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
    default:
      return status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT";
  }
}

/** `{"error":{"code","message","status"}}`, the body Google's SDKs parse. */
export function geminiErrorBody(err: GatewayError) {
  return { error: { code: err.status, message: err.message, status: geminiErrorStatus(err.status) } };
}

/** Ends a streamGenerateContent stream with an error chunk, as Gemini itself does. */
export function geminiStreamErrorEvent(err: GatewayError): string {
  return `data: ${JSON.stringify(geminiErrorBody(err))}\n\n`;
}
