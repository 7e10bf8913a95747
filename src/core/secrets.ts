import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** sha-256 hex of a secret; what we store instead of a client key or the generated admin token. */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** Compares two secrets in constant time (digests first, so lengths never leak). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash("sha256").update(a).digest();
  const db = createHash("sha256").update(b).digest();
  return timingSafeEqual(da, db);
}

/** Compares a presented secret with a stored sha-256 hex digest in constant time. */
export function matchesHash(presented: string, hashHex: string): boolean {
  const d = createHash("sha256").update(presented).digest();
  const h = Buffer.from(hashHex, "hex");
  return h.length === d.length && timingSafeEqual(d, h);
}

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}

/** Keys shorter than this are masked completely: a prefix and suffix would give away most of them. */
const MASK_MIN_REVEAL = 16;

/** Masks a provider key for display: keeps a short prefix and suffix of a long key, nothing of a short one. */
export function maskSecret(value: string): string {
  if (!value) return "";
  // A fixed width, so the mask does not tell the length of a short key either.
  if (value.length < MASK_MIN_REVEAL) return "********";
  return `${value.slice(0, 3)}…${value.slice(-4)}`;
}
