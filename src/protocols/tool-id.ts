/**
 * Gemini's thought signature belongs to a function call and must come back with it on the next turn. Clients
 * of the other protocols have no field for it, so it travels inside the tool call id they echo back:
 * `<id>__llmsig_<signature as base64url>`. The packed id keeps to [A-Za-z0-9_-], which every protocol's
 * id rules admit.
 */
const MARK = "__llmsig_";

function toBase64Url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

function fromBase64Url(text: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const decoded = Buffer.from(text, "base64url").toString("utf8");
  // A round trip that does not give the same text back was not ours.
  return toBase64Url(decoded) === text ? decoded : undefined;
}

/** The id a client sees for a tool call that carries a signature; the id itself when there is none. */
export function packToolCallId(id: string, signature?: string): string {
  if (!signature) return id;
  const safeId = /^[A-Za-z0-9_-]*$/.test(id) ? id : toBase64Url(id);
  return `${safeId}${MARK}${toBase64Url(signature)}`;
}

/** The id and signature of a tool call id a client sent back; ids without a packed signature as they are. */
export function unpackToolCallId(id: string): { id: string; signature?: string } {
  const at = id.lastIndexOf(MARK);
  if (at < 0) return { id };
  const signature = fromBase64Url(id.slice(at + MARK.length));
  return signature === undefined ? { id } : { id: id.slice(0, at), signature };
}
