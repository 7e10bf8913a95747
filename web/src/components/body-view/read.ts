import { anthropicRequest, anthropicResponse, anthropicStream } from "./anthropic";
import { geminiRequest, geminiResponse, geminiStream } from "./gemini";
import { chatRequest, chatResponse, chatStream } from "./openai-chat";
import { responsesRequest, responsesResponse, responsesStream } from "./responses";
import { looksLikeSse, parseSse } from "./sse";
import type { BodyView, Style } from "./types";
import { isObj } from "./util";

const REQUEST = {
  openai: chatRequest,
  "openai-responses": responsesRequest,
  anthropic: anthropicRequest,
  gemini: geminiRequest,
};
const RESPONSE = {
  openai: chatResponse,
  "openai-responses": responsesResponse,
  anthropic: anthropicResponse,
  gemini: geminiResponse,
};

/**
 * Reads a logged body of the client protocol `style`: a request as messages, tools and parameters; a
 * response (JSON, an SSE transcript, or Gemini's JSON-array stream) as one assembled reply. Anything it
 * cannot read is `raw`, so the viewer falls back to the text.
 */
export function readBody(style: Style, which: "request" | "response", text: string | null): BodyView {
  if (!text?.trim()) return { kind: "raw" };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  try {
    if (which === "request")
      return isObj(json) ? { kind: "request", view: REQUEST[style](json) } : { kind: "raw" };
    if (isObj(json)) return { kind: "reply", view: RESPONSE[style](json) };
    if (Array.isArray(json) && style === "gemini")
      return { kind: "reply", view: geminiStream(json.filter(isObj)) };
    if (json !== undefined || !looksLikeSse(text)) return { kind: "raw" };
    const events = parseSse(text);
    switch (style) {
      case "openai":
        return { kind: "reply", view: chatStream(events) };
      case "openai-responses":
        return { kind: "reply", view: responsesStream(events) };
      case "anthropic":
        return { kind: "reply", view: anthropicStream(events) };
      case "gemini":
        return { kind: "reply", view: geminiStream(events.map((e) => e.data)) };
    }
  } catch {
    // A body of an unexpected shape: show it raw rather than fail the drawer.
    return { kind: "raw" };
  }
}
