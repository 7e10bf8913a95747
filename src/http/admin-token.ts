import { matchesHash, randomToken, safeEqual, sha256Hex } from "../core/secrets";
import type { SettingsRepo } from "../storage/storage";

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
  reset?: () => Promise<string>;
  /** Re-reads the stored hash (another instance on the same database may have reset it). */
  refresh?: () => Promise<void>;
}

const newToken = () => `llmio-${randomToken(24)}`;

/** Resolves the admin token: TOKEN wins; else the stored hash; else a new token is generated and stored. */
export async function resolveAdminToken(
  settings: SettingsRepo,
  configured: string | undefined,
  reset = false,
): Promise<AdminToken> {
  if (configured) return { source: "env", verify: (p) => safeEqual(p, configured) };
  let hash = reset ? undefined : await settings.get<string>(SETTING);
  let generated: string | undefined;
  if (!hash) {
    generated = newToken();
    hash = sha256Hex(generated);
    if (reset) await settings.set(SETTING, hash);
    else if (!(await settings.add(SETTING, hash))) {
      // Another instance on the same database generated one first: that one is the admin token.
      generated = undefined;
      hash = (await settings.get<string>(SETTING)) as string;
    }
  }
  let stored = hash;
  return {
    source: generated ? "generated" : "stored",
    generated,
    verify: (p) => matchesHash(p, stored),
    async reset() {
      const next = newToken();
      const hashed = sha256Hex(next);
      await settings.set(SETTING, hashed);
      stored = hashed;
      return next;
    },
    async refresh() {
      const current = await settings.get<string>(SETTING);
      if (current) stored = current;
    },
  };
}

/** A fixed token for tests and embedding. */
export function staticAdminToken(token: string): AdminToken {
  return { source: "env", verify: (p) => safeEqual(p, token) };
}
