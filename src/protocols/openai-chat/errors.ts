import type { GatewayError } from "../../core/errors";

/** OpenAI's error `type` for a status. */
export function openAIErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/** OpenAI's machine-readable `code`, using the names OpenAI clients already know where one fits. */
export function openAIErrorCode(err: GatewayError): string {
  switch (err.code) {
    case "not_found":
      return "model_not_found";
    case "rate_limited":
      return "rate_limit_exceeded";
    case "unauthorized":
      return "invalid_api_key";
    default:
      return err.code;
  }
}

/** `{"error":{"message","type","param","code"}}`, the body OpenAI's SDKs parse. */
export function openAIErrorBody(err: GatewayError) {
  return {
    error: {
      message: err.message,
      type: openAIErrorType(err.status),
      param: err.field ?? null,
      code: openAIErrorCode(err),
    },
  };
}

/** Ends a chat stream with an error chunk; deliberately no `[DONE]`, so clients see the stream failed. */
export function openAIChatStreamErrorEvent(err: GatewayError): string {
  return `data: ${JSON.stringify(openAIErrorBody(err))}\n\n`;
}
