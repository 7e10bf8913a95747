import type { GatewayError } from "../../core/errors";
import { openAIErrorBody, openAIErrorCode } from "../openai-chat/errors";

/** Responses errors use the same body as Chat Completions: one OpenAI family, one error shape. */
export const openAIResponsesErrorBody = openAIErrorBody;

/**
 * Ends a Responses stream with the `error` event of the Responses streaming protocol; a translating encoder
 * passes the event's place in its stream as `sequenceNumber`.
 */
export function openAIResponsesStreamErrorEvent(err: GatewayError, sequenceNumber = 0): string {
  const data = {
    type: "error",
    code: openAIErrorCode(err),
    message: err.message,
    param: err.field ?? null,
    sequence_number: sequenceNumber,
  };
  return `event: error\ndata: ${JSON.stringify(data)}\n\n`;
}
