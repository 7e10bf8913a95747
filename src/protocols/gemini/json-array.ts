import { createSseParser } from "../sse";

const encoder = new TextEncoder();

/** Re-frames bytes of one stream into other bytes (push per chunk, end once). */
export interface Reframer {
  push(chunk: Uint8Array): Uint8Array | undefined;
  end(): Uint8Array;
}

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
