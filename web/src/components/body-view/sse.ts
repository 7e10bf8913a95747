import { isObj, type Obj } from "./util";

/** One event of a logged stream: its `event:` name (if any) and its JSON payload. */
export interface StreamEvent {
  event?: string;
  data: Obj;
}

/** Whether a logged body is an event stream (has `data:` lines) rather than JSON. */
export const looksLikeSse = (text: string): boolean => /^(data|event):/m.test(text);

/**
 * Reads an SSE transcript into JSON events. `[DONE]`, comments and payloads that do not parse (a body cut
 * at the logging cap ends mid-event) are skipped.
 */
export function parseSse(text: string): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (!data.length) continue;
    const payload = data.join("\n");
    if (payload.trim() === "[DONE]") continue;
    try {
      const json: unknown = JSON.parse(payload);
      if (isObj(json)) out.push(event ? { event, data: json } : { data: json });
    } catch {
      // A partial event at the end of a capped body.
    }
  }
  return out;
}
