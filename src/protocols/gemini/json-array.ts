import { createSseParser } from "../sse";
import type { Reframer } from "../types";

const encoder = new TextEncoder();

/**
 * Gemini's `streamGenerateContent` without `alt=sse` answers one JSON array whose elements arrive over
 * time. The gateway always asks upstream for SSE; this turns those events back into that array for a
 * client that did not ask for SSE.
 */
export function createSseToJsonArray(): Reframer {
  const parser = createSseParser();
  let started = false;
  const frame = (datas: string[]): string => {
    let out = "";
    for (const data of datas) {
      if (!data || data === "[DONE]") continue;
      out += started ? `,\r\n${data}` : `[${data}`;
      started = true;
    }
    return out;
  };
  return {
    contentType: "application/json",
    push(chunk) {
      const text = frame(parser.push(chunk).map((e) => e.data));
      return text ? encoder.encode(text) : undefined;
    },
    end() {
      const text = frame(parser.end().map((e) => e.data));
      return encoder.encode(started ? `${text}]` : "[]");
    },
  };
}

/** Gemini clients that did not ask for SSE (`alt=sse`) get the JSON-array framing they expect. */
export function geminiStreamFraming(requestUrl: string): Reframer | undefined {
  return /[?&]alt=sse(&|$)/.test(requestUrl) ? undefined : createSseToJsonArray();
}
