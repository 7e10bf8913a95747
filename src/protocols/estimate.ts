/** Characters of a value's strings (keys of objects included), Latin and wide (CJK) apart. */
function countChars(value: unknown): { ascii: number; wide: number } {
  let ascii = 0;
  let wide = 0;
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      for (let i = 0; i < v.length; i++) {
        if (v.charCodeAt(i) < 0x2e80) ascii++;
        else wide++;
      }
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "model" || k === "max_tokens") continue;
        // Images count as a fixed-size block rather than by their base64 length.
        if (k === "source" && x && typeof x === "object" && (x as { type?: string }).type === "base64") {
          wide += 1500;
          continue;
        }
        ascii += k.length;
        walk(x);
      }
    }
  };
  walk(value);
  return { ascii, wide };
}

/** A rough local token count: ~4 characters a token for Latin text, ~1 per CJK character. */
export function estimateTokens(body: Record<string, unknown>): number {
  const { ascii, wide } = countChars({ system: body.system, messages: body.messages, tools: body.tools });
  const messages = Array.isArray(body.messages) ? body.messages.length : 0;
  return Math.max(1, Math.ceil(ascii / 4) + wide + messages * 3);
}

/**
 * The token count of an embeddings `input`: exact for token-id arrays (one id, one token), else the same
 * rough count as estimateTokens over its strings.
 */
export function estimateEmbeddingTokens(input: unknown): number {
  const ids = (v: unknown): v is number[] =>
    Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number");
  if (ids(input)) return input.length;
  if (Array.isArray(input) && input.length > 0 && input.every(ids))
    return input.reduce((n: number, x: number[]) => n + x.length, 0);
  const { ascii, wide } = countChars(input);
  return Math.max(1, Math.ceil(ascii / 4) + wide);
}
