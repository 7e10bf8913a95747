import { SseSplitter } from "../../protocols/sse";

/** How much of a stream's opening is read, at most, while waiting for its first complete event. */
const OPENING_CAP = 256 * 1024;
const decoder = new TextDecoder();

/** The bytes a stream opened with, and why they cannot be relayed (null when they can). */
export interface StreamOpening {
  /** Every byte read so far (one chunk, or the chunks joined); undefined when the stream ended empty. */
  bytes: Uint8Array | undefined;
  problem: string | null;
}

/**
 * Reads an upstream stream until its first complete SSE event (or its end, or OPENING_CAP bytes), so the
 * opening can be judged before anything reaches the client: every upstream stream the gateway speaks is SSE
 * carrying JSON in its `data:` fields (OpenAI's `[DONE]` aside). An opening that is not SSE at all (an HTML
 * page, bare JSON lines) or whose first data is not JSON means a broken upstream, and the attempt can still
 * fail over. Comments and keep-alives are skipped; an opening of nothing else is not judged.
 */
export async function readStreamOpening(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<StreamOpening> {
  const splitter = new SseSplitter();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let complete = false;
  let problem: string | null | undefined;
  const onBlock = (block: Uint8Array) => {
    complete = true;
    if (problem === undefined) problem = judge(decoder.decode(block));
  };
  while (!complete && total < OPENING_CAP) {
    const r = await reader.read();
    if (r.done) {
      splitter.end(onBlock);
      break;
    }
    if (!r.value.byteLength) continue;
    chunks.push(r.value);
    total += r.value.byteLength;
    splitter.push(r.value, onBlock);
  }
  return { bytes: join(chunks, total), problem: problem ?? null };
}

const FIELDS = new Set(["data", "event", "id", "retry"]);

/**
 * What is wrong with one event block: null when it is fine, undefined when it says nothing (blank lines and
 * comments only), so the next block is judged instead.
 */
function judge(block: string): string | null | undefined {
  const lines = block.split(/\r?\n/).filter((line) => line !== "" && !line.startsWith(":"));
  if (lines.length === 0) return undefined;
  const data: string[] = [];
  let known = false;
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = colon === -1 ? line : line.slice(0, colon);
    if (!FIELDS.has(name)) continue;
    known = true;
    if (name === "data") data.push(line.slice(colon === -1 ? line.length : colon + 1).replace(/^ /, ""));
  }
  if (!known) return `upstream stream is not SSE: ${block.slice(0, 200)}`;
  if (data.length === 0) return null;
  const text = data.join("\n");
  if (text.trim() === "[DONE]") return null;
  try {
    JSON.parse(text);
    return null;
  } catch {
    return `upstream stream opened with an event that is not valid JSON: ${text.slice(0, 200)}`;
  }
}

function join(chunks: Uint8Array[], total: number): Uint8Array | undefined {
  if (chunks.length <= 1) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
