import type { Database } from "bun:sqlite";
import { matchesHash, randomToken, safeEqual, sha256Hex } from "../core/secrets";
import { getSetting, setSetting } from "../storage/settings";

const SETTING = "admin_token_hash";

/** The admin credential: the configured TOKEN, or a generated one whose hash lives in settings. */
export interface AdminToken {
  verify(presented: string): boolean;
  /** Set only when this start generated a new token; print it once. */
  generated?: string;
  source: "env" | "stored" | "generated";
  /**
   * Replaces a generated or stored token with a new one and returns it (shown once); the old one stops
   * working at once. Absent when the token comes from TOKEN: it is changed there.
   */
  reset?: () => string;
}

const newToken = () => `llmio-${randomToken(24)}`;

/** Resolves the admin token: TOKEN wins; else the stored hash; else a new token is generated and stored. */
export function resolveAdminToken(db: Database, configured: string | undefined, reset = false): AdminToken {
  if (configured) return { source: "env", verify: (p) => safeEqual(p, configured) };
  let hash = reset ? undefined : getSetting<string>(db, SETTING);
  let generated: string | undefined;
  if (!hash) {
    generated = newToken();
    hash = sha256Hex(generated);
    setSetting(db, SETTING, hash);
  }
  let stored = hash;
  return {
    source: generated ? "generated" : "stored",
    generated,
    verify: (p) => matchesHash(p, stored),
    reset() {
      const next = newToken();
      stored = sha256Hex(next);
      setSetting(db, SETTING, stored);
      return next;
    },
  };
}

/** A fixed token for tests and embedding. */
export function staticAdminToken(token: string): AdminToken {
  return { source: "env", verify: (p) => safeEqual(p, token) };
}
