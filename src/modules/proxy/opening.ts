import { decodeSseBlock, SseSplitter } from "../../protocols/sse";

/** How much of a stream's opening is read, at most, while waiting for its first complete event. */
const OPENING_CAP = 256 * 1024;
const HAS_DATA = /^data(:|\r?$)/m;
const decoder = new TextDecoder();

/** The bytes a stream opened with, and why they cannot be relayed (null when they can). */
export interface StreamOpening {
  /** Every byte read so far (one chunk, or the chunks joined); undefined when the stream ended empty. */
  bytes: Uint8Array | undefined;
  problem: string | null;
}

/**
 * Reads an upstream stream until its first complete SSE event (or its end, or OPENING_CAP bytes), so the
 * opening can be judged before anything reaches the client: every upstream stream the gateway speaks carries
 * JSON in its `data:` fields (OpenAI's `[DONE]` aside), so a first data field that is not JSON means a broken
 * upstream, and the attempt can still fail over. An opening of comments or keep-alives only is not judged.
 */
export async function readStreamOpening(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<StreamOpening> {
  const splitter = new SseSplitter();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let complete = false;
  let firstData: string | undefined;
  const onBlock = (block: Uint8Array) => {
    complete = true;
    if (firstData !== undefined) return;
    const event = decodeSseBlock(block);
    if (event && HAS_DATA.test(decoder.decode(block))) firstData = event.data;
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
  return { bytes: join(chunks, total), problem: firstData === undefined ? null : dataProblem(firstData) };
}

function dataProblem(data: string): string | null {
  if (data.trim() === "[DONE]") return null;
  try {
    JSON.parse(data);
    return null;
  } catch {
    return `upstream stream opened with an event that is not valid JSON: ${data.slice(0, 200)}`;
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
