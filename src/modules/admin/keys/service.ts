import { validationError } from "../../../core/errors";
import { randomToken, sha256Hex } from "../../../core/secrets";
import { convertCost, USD_CNY_RATE_SETTING, usdCnyRateOf } from "../../../core/money";
import { type AdminDeps, found } from "../shared";
import type { ApiKeyView, ApiKeyWithSecret, KeyCreate, KeyUpdate } from "./model";
import { KEY_DEFAULTS, type KeyColumns } from "../../../storage/keys";

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
async function checkModels(d: AdminDeps, names: string[]): Promise<string[]> {
  const known = new Set((await d.storage.models.all()).map((m) => m.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) throw validationError("models", `unknown models: ${unknown.join(", ")}`);
  return [...new Set(names)];
}

/** Applies a create body or a PUT subset onto stored columns; null clears an optional field. */
async function merge(d: AdminDeps, base: KeyColumns, input: KeyUpdate): Promise<KeyColumns> {
  if (input.name !== undefined && !input.name.trim()) throw validationError("name", "name must not be blank");
  const next = { ...base };
  if (input.name !== undefined) next.name = input.name.trim();
  if (input.enabled !== undefined) next.enabled = input.enabled;
  if (input.allow_all !== undefined) next.allow_all = input.allow_all;
  if (input.models !== undefined)
    next.models = input.models === null ? [] : await checkModels(d, input.models);
  if (input.expires_at !== undefined) next.expires_at = parseExpiry(input.expires_at);
  if (input.rpm_limit !== undefined) next.rpm_limit = input.rpm_limit;
  if (input.tpm_limit !== undefined) next.tpm_limit = input.tpm_limit;
  if (input.budget !== undefined) next.budget = input.budget;
  if (input.currency !== undefined) next.currency = input.currency;
  if (input.io_log !== undefined) next.io_log = input.io_log;
  return next;
}

export const keyService = {
  list: (d: AdminDeps): Promise<ApiKeyView[]> => d.storage.keys.all(),

  get: async (d: AdminDeps, id: number): Promise<ApiKeyView> =>
    found(await d.storage.keys.get(id), "API key", id),

  /** Creates a key; the answer is the only place the full key ever appears. */
  async create(d: AdminDeps, input: KeyCreate): Promise<ApiKeyWithSecret> {
    // A key created with a model list is restricted to it unless allow_all says otherwise.
    const base = { ...KEY_DEFAULTS, allow_all: !input.models?.length };
    const cols = await merge(d, base, input);
    const key = generateKey();
    const view = await d.storage.keys.insert(cols, sha256Hex(key), displayPrefix(key), d.clock.now());
    await d.onConfigChange();
    return { ...view, key };
  },

  /** Updates a key; a new currency converts the key's spend into it at the configured rate. */
  async update(d: AdminDeps, id: number, patch: KeyUpdate): Promise<ApiKeyView> {
    const base = found(await d.storage.keys.columns(id), "API key", id);
    const next = await merge(d, base, patch);
    const view = await d.storage.transaction(async (tx) => {
      if (next.currency !== base.currency) {
        const rate = usdCnyRateOf(await tx.settings.get(USD_CNY_RATE_SETTING));
        await tx.keys.scaleSpent(id, convertCost(1, base.currency, next.currency, rate));
      }
      return found(await tx.keys.update(id, next, d.clock.now()), "API key", id);
    });
    await d.onConfigChange();
    return view;
  },

  /** The rate that converts a cost into a key's currency (budgets are kept in the key's currency). */
  async exchangeRate(d: AdminDeps) {
    const stored = await d.storage.settings.get<unknown>(USD_CNY_RATE_SETTING);
    return { usd_cny_rate: usdCnyRateOf(stored), is_default: stored === undefined };
  },

  async setExchangeRate(d: AdminDeps, rate: number) {
    await d.storage.settings.set(USD_CNY_RATE_SETTING, rate);
    await d.onConfigChange();
    return keyService.exchangeRate(d);
  },

  /** Replaces the secret: the old key stops working at once, the new one is shown this once. */
  async rotate(d: AdminDeps, id: number): Promise<ApiKeyWithSecret> {
    const key = generateKey();
    const view = found(
      await d.storage.keys.setSecret(id, sha256Hex(key), displayPrefix(key), d.clock.now()),
      "API key",
      id,
    );
    await d.onConfigChange();
    return { ...view, key };
  },

  async remove(d: AdminDeps, id: number) {
    found((await d.storage.keys.remove(id)) ? true : null, "API key", id);
    await d.onConfigChange();
    return { ok: true as const };
  },
};
