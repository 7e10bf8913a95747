/** How deep a request body may nest: far past any real request, well short of a recursion overflow. */
export const MAX_JSON_DEPTH = 256;

/**
 * Whether a parsed JSON value nests objects/arrays deeper than `limit` (iterative: no recursion). The proxy
 * scans its raw bytes instead (src/protocols/raw-json.ts: depth and the place of `model` in one pass).
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (depth > limit) return true;
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === "object" && x !== null) stack.push([x, depth + 1]);
    } else {
      for (const k in v as Record<string, unknown>) {
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === "object" && x !== null) stack.push([x, depth + 1]);
      }
    }
  }
  return false;
}

/** The JSON punctuation byte scans look for (also raw-json.ts's). */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const OPEN_BRACE = 0x7b;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACE = 0x7d;
export const CLOSE_BRACKET = 0x5d;

/**
 * Whether raw JSON bytes nest objects/arrays deeper than `limit` (the outermost value is level 1).
 * One pass over the bytes, no allocation: run before JSON.parse, so a body nested 10,000 levels deep
 * costs a byte scan instead of a parse, a walk and a validation error that echoes it. Brackets inside
 * strings are skipped; bytes that are not JSON at all are left for the parser to refuse.
 */
export function jsonNestsDeeperThan(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === QUOTE) {
      i = closingQuote(bytes, i);
      if (i < 0) return false;
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** The index of the quote that closes the string opened at `open`, or -1; a native search, so text is skipped fast. */
export function closingQuote(bytes: Uint8Array, open: number): number {
  let at = open;
  for (;;) {
    at = bytes.indexOf(QUOTE, at + 1);
    if (at < 0) return -1;
    let backslashes = 0;
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}
