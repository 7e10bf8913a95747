import type { GatewayError } from "../../core/errors";

/** Anthropic's error `type` for a status. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    case 504:
      return "timeout_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

/** `{"type":"error","error":{"type","message"}}`, the body Anthropic's SDKs parse. */
export function anthropicErrorBody(err: GatewayError) {
  return { type: "error", error: { type: anthropicErrorType(err.status), message: err.message } };
}

/** Ends a Messages stream with Anthropic's `error` event. */
export function anthropicStreamErrorEvent(err: GatewayError): string {
  return `event: error\ndata: ${JSON.stringify(anthropicErrorBody(err))}\n\n`;
}
