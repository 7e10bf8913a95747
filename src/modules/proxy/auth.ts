import { GatewayError } from "../../core/errors";
import { sha256Hex } from "../../core/secrets";
import type { AdminToken } from "../../http/admin-token";
import { bearer } from "../../http/auth";
import type { KeyLimits } from "./limits";
import type { ClientKey } from "./snapshot";

/** Who is calling: a client key, or the admin token (every model, no key id). */
export interface Caller {
  keyId: number | null;
  allowAll: boolean;
  models: ReadonlySet<string>;
  ioLog: boolean;
  /** The key's rate and spend limits; null for the admin token, which has none. */
  limits: KeyLimits | null;
}

const ADMIN: Caller = { keyId: null, allowAll: true, models: new Set(), ioLog: false, limits: null };

/** The key a client presented, from any of the headers the three SDK families use, or `?key=`. */
export function presentedKey(headers: Headers, url: string): string | undefined {
  const fromHeader =
    bearer(headers.get("authorization")) ??
    headers.get("x-api-key") ??
    headers.get("x-goog-api-key") ??
    undefined;
  if (fromHeader) return fromHeader.trim();
  const q = url.indexOf("?");
  if (q < 0) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get("key") ?? undefined;
}

/** Authenticates a proxy call: 401 for a missing, unknown, disabled or expired key. */
export function authenticate(
  headers: Headers,
  url: string,
  keys: ReadonlyMap<string, ClientKey>,
  admin: AdminToken,
  now: number,
): Caller {
  const presented = presentedKey(headers, url);
  if (!presented) throw new GatewayError(401, "unauthorized", "missing API key");
  const key = keys.get(sha256Hex(presented));
  if (key) {
    if (!key.enabled) throw new GatewayError(401, "unauthorized", "API key is disabled");
    if (key.expiresAt !== null && key.expiresAt <= now)
      throw new GatewayError(401, "unauthorized", "API key has expired");
    return {
      keyId: key.id,
      allowAll: key.allowAll,
      models: key.models,
      ioLog: key.ioLog,
      limits: key.limits,
    };
  }
  if (admin.verify(presented)) return ADMIN;
  throw new GatewayError(401, "unauthorized", "invalid API key");
}

/** 403 when a key restricted to a model list asks for another model. */
export function assertModelAllowed(caller: Caller, model: string): void {
  if (!caller.allowAll && !caller.models.has(model)) {
    throw new GatewayError(403, "forbidden", `this API key may not use model "${model}"`);
  }
}
