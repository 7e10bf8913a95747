import { concatBytes } from "../../core/bytes";
import { eventEnd, SseSplitter } from "../../protocols/sse";

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
 * fail over. Comments and keep-alives are skipped; an opening of nothing else is not judged. Only the events
 * up to the first that says something are looked at: the rest of the chunk is the tap's.
 */
export async function readStreamOpening(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<StreamOpening> {
  let r = await reader.read();
  while (!r.done && !r.value.byteLength) r = await reader.read();
  if (r.done) return { bytes: undefined, problem: null };
  // Nearly always the first read holds the first event whole: judge it in place.
  const first = r.value;
  let complete = false;
  for (let from = 0, end = eventEnd(first, 0); end !== -1; from = end, end = eventEnd(first, from)) {
    complete = true;
    const problem = judge(first.subarray(from, end));
    if (problem !== undefined) return { bytes: first, problem };
  }
  if (complete) return { bytes: first, problem: null };
  return readOnward(reader, first);
}

/** The first event spans reads: split events as they complete, up to OPENING_CAP bytes. */
async function readOnward(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  first: Uint8Array,
): Promise<StreamOpening> {
  const splitter = new SseSplitter();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let complete = false;
  let problem: string | null | undefined;
  const onBlock = (block: Uint8Array) => {
    complete = true;
    if (problem === undefined) problem = judge(block);
  };
  for (let chunk: Uint8Array | undefined = first; chunk; ) {
    chunks.push(chunk);
    total += chunk.byteLength;
    splitter.push(chunk, onBlock);
    if (complete || total >= OPENING_CAP) break;
    const r = await reader.read();
    if (r.done) splitter.end(onBlock);
    chunk = r.done ? undefined : r.value;
  }
  return { bytes: concatBytes(chunks, total), problem: problem ?? null };
}

const FIELDS = new Set(["data", "event", "id", "retry"]);

/**
 * What is wrong with one event block: null when it is fine, undefined when it says nothing (blank lines and
 * comments only), so the next block is judged instead.
 */
function judge(bytes: Uint8Array): string | null | undefined {
  const block = decoder.decode(bytes);
  const data: string[] = [];
  let lines = 0;
  let known = false;
  for (const raw of block.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line === "" || line.startsWith(":")) continue;
    lines++;
    const colon = line.indexOf(":");
    const name = colon === -1 ? line : line.slice(0, colon);
    if (!FIELDS.has(name)) continue;
    known = true;
    if (name !== "data") continue;
    const value = colon === -1 ? "" : line.slice(colon + 1);
    data.push(value.startsWith(" ") ? value.slice(1) : value);
  }
  if (lines === 0) return undefined;
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
