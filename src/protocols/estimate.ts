/** A rough local token count: ~4 characters a token for Latin text, ~1 per CJK character. */
export function estimateTokens(body: Record<string, unknown>): number {
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
  walk({ system: body.system, messages: body.messages, tools: body.tools });
  const messages = Array.isArray(body.messages) ? body.messages.length : 0;
  return Math.max(1, Math.ceil(ascii / 4) + wide + messages * 3);
}
