import { validationError } from "../../../core/errors";
import { convertCost, USD_CNY_RATE_SETTING } from "../../../core/money";
import { randomToken, sha256Hex } from "../../../core/secrets";
import { models } from "../../../storage/repos";
import { setSetting, usdCnyRate, usdCnyRateIsSet } from "../../../storage/settings";
import { type AdminDeps, found } from "../shared";
import type { ApiKeyView, ApiKeyWithSecret, KeyCreate, KeyUpdate } from "./model";
import { type KeyColumns, keysRepo } from "./repo";

export const KEY_PREFIX = "sk-llmio-";

/** A fresh client key: 32 crypto-random bytes (256 bits), base64url. */
export function generateKey(): string {
  return `${KEY_PREFIX}${randomToken(32)}`;
}

/** What reads show instead of the key: its first 12 and last 4 characters. */
export function displayPrefix(key: string): string {
  return `${key.slice(0, 12)}…${key.slice(-4)}`;
}

// A calendar date (midnight UTC) or a date-time; one without a zone is read in the server's local time.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function parseExpiry(value: string | null): number | null {
  if (value === null) return null;
  const ms = ISO_8601.test(value.trim()) ? Date.parse(value.trim()) : Number.NaN;
  if (Number.isNaN(ms)) throw validationError("expires_at", "expires_at must be an ISO-8601 date or null");
  return ms;
}

/** 422 naming `models` when a name in the list is no configured model. */
function checkModels(d: AdminDeps, names: string[]): string[] {
  const known = new Set(models.all(d.db).map((m) => m.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) throw validationError("models", `unknown models: ${unknown.join(", ")}`);
  return [...new Set(names)];
}

/** Applies a create body or a PUT subset onto stored columns; null clears an optional field. */
function merge(d: AdminDeps, base: KeyColumns, input: KeyUpdate): KeyColumns {
  if (input.name !== undefined && !input.name.trim()) throw validationError("name", "name must not be blank");
  const next = { ...base };
  if (input.name !== undefined) next.name = input.name.trim();
  if (input.enabled !== undefined) next.enabled = input.enabled;
  if (input.allow_all !== undefined) next.allow_all = input.allow_all;
  if (input.models !== undefined) next.models = input.models === null ? [] : checkModels(d, input.models);
  if (input.expires_at !== undefined) next.expires_at = parseExpiry(input.expires_at);
  if (input.rpm_limit !== undefined) next.rpm_limit = input.rpm_limit;
  if (input.tpm_limit !== undefined) next.tpm_limit = input.tpm_limit;
  if (input.budget !== undefined) next.budget = input.budget;
  if (input.currency !== undefined) next.currency = input.currency;
  if (input.io_log !== undefined) next.io_log = input.io_log;
  return next;
}

const DEFAULTS: KeyColumns = {
  name: "",
  enabled: true,
  allow_all: true,
  models: [],
  expires_at: null,
  rpm_limit: null,
  tpm_limit: null,
  budget: null,
  currency: "USD",
  io_log: false,
};

export const keyService = {
  list: (d: AdminDeps): ApiKeyView[] => keysRepo.all(d.db),

  get: (d: AdminDeps, id: number): ApiKeyView => found(keysRepo.get(d.db, id), "API key", id),

  /** Creates a key; the answer is the only place the full key ever appears. */
  create(d: AdminDeps, input: KeyCreate): ApiKeyWithSecret {
    // A key created with a model list is restricted to it unless allow_all says otherwise.
    const base = { ...DEFAULTS, allow_all: !input.models?.length };
    const cols = merge(d, base, input);
    const key = generateKey();
    const view = keysRepo.insert(d.db, cols, sha256Hex(key), displayPrefix(key), d.clock.now());
    d.onConfigChange();
    return { ...view, key };
  },

  /** Updates a key; a new currency converts the key's spend into it at the configured rate. */
  update(d: AdminDeps, id: number, patch: KeyUpdate): ApiKeyView {
    const base = found(keysRepo.columns(d.db, id), "API key", id);
    const next = merge(d, base, patch);
    const view = d.db.transaction(() => {
      if (next.currency !== base.currency)
        keysRepo.scaleSpent(d.db, id, convertCost(1, base.currency, next.currency, usdCnyRate(d.db)));
      return found(keysRepo.update(d.db, id, next, d.clock.now()), "API key", id);
    })();
    d.onConfigChange();
    return view;
  },

  /** The rate that converts a cost into a key's currency (budgets are kept in the key's currency). */
  exchangeRate: (d: AdminDeps) => ({ usd_cny_rate: usdCnyRate(d.db), is_default: !usdCnyRateIsSet(d.db) }),

  setExchangeRate(d: AdminDeps, rate: number) {
    setSetting(d.db, USD_CNY_RATE_SETTING, rate);
    d.onConfigChange();
    return keyService.exchangeRate(d);
  },

  /** Replaces the secret: the old key stops working at once, the new one is shown this once. */
  rotate(d: AdminDeps, id: number): ApiKeyWithSecret {
    const key = generateKey();
    const view = found(
      keysRepo.setSecret(d.db, id, sha256Hex(key), displayPrefix(key), d.clock.now()),
      "API key",
      id,
    );
    d.onConfigChange();
    return { ...view, key };
  },

  remove(d: AdminDeps, id: number) {
    found(keysRepo.remove(d.db, id) ? true : null, "API key", id);
    d.onConfigChange();
    return { ok: true as const };
  },
};
