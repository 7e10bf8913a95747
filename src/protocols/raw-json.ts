/**
 * A request body's raw bytes, read once without building anything: how deep it nests (the depth guard) and
 * where its top-level `model` value sits, so a pass-through attempt can splice the link's model (and a
 * missing top-level field such as OpenAI's `stream_options`) into the client's bytes instead of serialising
 * the whole parsed body again. Strings are skipped with a native search, so a 1 MiB prompt costs a few calls.
 */

import { upstreamBodyScratch } from "../core/scratch";
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  closingQuote,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from "../core/json-depth";

const COLON = 0x3a;
const MODEL = [0x6d, 0x6f, 0x64, 0x65, 0x6c]; // model

/** What a scan found out about a JSON object's bytes. */
export interface RawLayout {
  /** The bytes nest objects/arrays deeper than the limit (the outermost value is level 1). */
  tooDeep: boolean;
  /**
   * Where the top-level object's `{` is, and the byte span of its `model` string value (quotes included).
   * Undefined when splicing is not safe: no or several `model` keys, a top-level key written with escapes
   * (JSON.parse would read `"mod\u0065l"` as `model`), or bytes that are not one plain object.
   */
  splice?: { open: number; model?: { start: number; end: number } };
  /** The contents (between the quotes) of the strings of LONG_STRING bytes and more, in order. */
  long?: { start: number; end: number }[];
}

/**
 * Strings from this size on (a prompt, a document, an image in base64) are left out of a body's outline
 * (`outlineBytes`): sniffing and pass-through read only the structure and the short fields around them.
 */
export const LONG_STRING = 64 * 1024;

/**
 * Below this size a body is not scanned: it cannot nest past any sane limit (each level takes a byte), and
 * serialising it again (≈ 1 µs) is cheaper than scanning and splicing it.
 */
const SMALL = 512;

/** Scans JSON bytes once; see RawLayout. Bytes that are not JSON at all are left for the parser to refuse. */
export function scanJson(bytes: Uint8Array, depthLimit: number): RawLayout {
  if (bytes.length < SMALL && bytes.length <= depthLimit) return { tooDeep: false };
  let depth = 0;
  let open = -1;
  let model: { start: number; end: number } | undefined;
  let models = 0;
  let plain = true;
  let long: { start: number; end: number }[] | undefined;
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    const b = bytes[i];
    if (b === QUOTE) {
      const close = closingQuote(bytes, i);
      if (close < 0) return { tooDeep: false };
      if (close - i - 1 >= LONG_STRING) (long ??= []).push({ start: i + 1, end: close });
      if (depth === 1 && plain) {
        const colon = nextSignificant(bytes, close + 1);
        if (bytes[colon] === COLON) {
          // A top-level key.
          if (escaped(bytes, i + 1, close)) plain = false;
          else if (close - i === 6 && isModel(bytes, i + 1)) {
            models++;
            const value = nextSignificant(bytes, colon + 1);
            if (bytes[value] === QUOTE) {
              const end = closingQuote(bytes, value);
              if (end < 0) return { tooDeep: false };
              model = { start: value, end: end + 1 };
              i = end;
              continue;
            }
          }
        }
      }
      i = close;
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (depth === 0) {
        if (open !== -1 || b !== OPEN_BRACE) plain = false;
        open = i;
      }
      if (++depth > depthLimit) return { tooDeep: true };
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
  }
  const found: RawLayout = { tooDeep: false };
  if (long) found.long = long;
  if (!plain || open === -1 || models > 1) return found;
  const splice = models === 1 ? (model ? { open, model } : undefined) : { open };
  if (splice) found.splice = splice;
  return found;
}

/** Whether a key's bytes hold an escape (keys are short: a plain loop). */
function escaped(bytes: Uint8Array, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (bytes[k] === BACKSLASH) return true;
  return false;
}

function isModel(bytes: Uint8Array, at: number): boolean {
  for (let k = 0; k < 5; k++) if (bytes[at + k] !== MODEL[k]) return false;
  return true;
}

/** The index of the next byte that is not JSON whitespace, from `at` on. */
function nextSignificant(bytes: Uint8Array, at: number): number {
  let i = at;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return i;
    i++;
  }
  return i;
}

/**
 * What stands in an outline for a long string: a NUL (which a client can only write escaped, as here), a
 * name, and the string's number, so two long strings never read as equal.
 */
const PLACEHOLDER = "\\u0000llmio-long-string-";
const PLACEHOLDER_TEXT = "\u0000llmio-long-string-";

/** Whether a string read from an outline is (or holds) a long string's placeholder. */
export function holdsPlaceholder(value: string | undefined): boolean {
  return value?.includes(PLACEHOLDER_TEXT) === true;
}

/**
 * The body's bytes with each long string's contents replaced by a short placeholder: an outline that parses
 * to the same structure at a fraction of the cost (no 1 MiB text decoded, parsed and copied). Undefined when
 * the body has no long string, or when one of them is not valid JSON string content (a raw control byte,
 * a bad escape): then only parsing the whole body gives the right answer (a 400).
 */
export function outlineBytes(raw: Uint8Array, layout: RawLayout): Uint8Array | undefined {
  const long = layout.long;
  if (!long) return undefined;
  const names: Uint8Array[] = [];
  let size = raw.length;
  for (let n = 0; n < long.length; n++) {
    const span = long[n] as { start: number; end: number };
    if (!validStringContent(raw, span.start, span.end)) return undefined;
    const name = encoder.encode(`${PLACEHOLDER}${n}`);
    names.push(name);
    size += name.length - (span.end - span.start);
  }
  const out = new Uint8Array(size);
  let from = 0;
  let o = 0;
  for (let n = 0; n < long.length; n++) {
    const span = long[n] as { start: number; end: number };
    out.set(raw.subarray(from, span.start), o);
    o += span.start - from;
    const name = names[n] as Uint8Array;
    out.set(name, o);
    o += name.length;
    from = span.end;
  }
  out.set(raw.subarray(from), o);
  return out;
}

const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]); // " \ / b f n r t
const isHex = (b: number | undefined) =>
  b !== undefined && ((b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66));

/**
 * Whether the bytes between two quotes are what JSON.parse accepts inside a string: each escape valid (the
 * backslashes found by a native search) and no raw control byte (four bytes at a time).
 */
function validStringContent(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = bytes.indexOf(BACKSLASH, start); i !== -1 && i < end; i = bytes.indexOf(BACKSLASH, i + 1)) {
    const e = bytes[i + 1] as number;
    if (e === 0x75) {
      if (!(isHex(bytes[i + 2]) && isHex(bytes[i + 3]) && isHex(bytes[i + 4]) && isHex(bytes[i + 5])))
        return false;
      i += 5;
    } else if (ESCAPES.has(e)) i += 1;
    else return false;
  }
  return !hasControlByte(bytes, start, end);
}

/** Whether a byte below 0x20 sits in bytes[start, end). */
function hasControlByte(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  for (; i < end && (bytes.byteOffset + i) % 4 !== 0; i++) if ((bytes[i] as number) < 0x20) return true;
  const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, (end - i) >> 2);
  // A word has a byte below 0x20 exactly when (w - 0x20202020) & ~w & 0x80808080 is not zero; valid text
  // is the rule, so the words are folded together without a branch and the mask tested once.
  let folded = 0;
  for (let k = 0; k < words.length; k++) {
    const w = words[k] as number;
    folded |= (w - 0x20202020) & ~w;
  }
  if ((folded & 0x80808080) !== 0) return true;
  for (i += words.length * 4; i < end; i++) if ((bytes[i] as number) < 0x20) return true;
  return false;
}

const encoder = new TextEncoder();
/** Encoded fragments (model names, the usage flag): few distinct ones, so each is encoded once. */
const fragments = new Map<string, Uint8Array>();
function fragment(text: string): Uint8Array {
  let bytes = fragments.get(text);
  if (bytes === undefined) {
    if (fragments.size >= 1024) fragments.clear();
    bytes = encoder.encode(text);
    fragments.set(text, bytes);
  }
  return bytes;
}

/**
 * The client's bytes with `patched`'s differences from `body` written in, or undefined when they cannot be
 * (then the caller serialises `patched`). Allowed: a new `model` string in place of the old one, and
 * top-level fields `body` lacks (added after the opening brace). Anything else (a changed or removed field)
 * is left to the serialiser. The result parses to an object equal to `patched`. A result of 64 KiB or more
 * may live in the upstream body scratch buffer (core/scratch.ts): it is for the upstream call made next,
 * which copies it and frees the buffer; nothing may keep it.
 */
export function spliceBody(
  raw: Uint8Array<ArrayBuffer>,
  layout: RawLayout | undefined,
  body: Record<string, unknown>,
  patched: Record<string, unknown>,
): Uint8Array<ArrayBuffer> | undefined {
  const at = layout?.splice;
  if (!at) return undefined;
  let empty = true;
  for (const key in body) {
    empty = false;
    if (!(key in patched)) return undefined;
  }
  if (empty) return undefined;
  let model: string | undefined;
  let added = "";
  for (const key in patched) {
    const value = patched[key];
    if (value === body[key]) continue;
    if (key === "model" && typeof value === "string" && at.model) model = JSON.stringify(value);
    else if (!(key in body) && value !== undefined)
      added += `${JSON.stringify(key)}:${JSON.stringify(value)},`;
    else return undefined;
  }
  const head = added ? fragment(added) : undefined;
  const name = model !== undefined ? fragment(model) : undefined;
  const cut = name && at.model ? at.model : { start: raw.length, end: raw.length };
  const size = raw.length + (head?.length ?? 0) + (name ? name.length - (cut.end - cut.start) : 0);
  // Large bodies are built in the scratch buffer the upstream call copies from (core/scratch.ts).
  const out = upstreamBodyScratch.take(size);
  // bytes up to and including `{`, the added fields, the bytes up to the model value, the new value, the rest
  let o = 0;
  const put = (part: Uint8Array) => {
    out.set(part, o);
    o += part.length;
  };
  put(raw.subarray(0, at.open + 1));
  if (head) put(head);
  put(raw.subarray(at.open + 1, cut.start));
  if (name) put(name);
  put(raw.subarray(cut.end));
  return out;
}
