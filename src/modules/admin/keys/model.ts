import { t } from "elysia";
import { ApiKeyView, Currency } from "../../../storage/schema";

// Limits: null (or absent) means unlimited; a limit of 0 requests or tokens would only lock the key out.
const fields = {
  name: t.String({ minLength: 1, maxLength: 200 }),
  enabled: t.Optional(t.Boolean()),
  allow_all: t.Optional(t.Boolean()),
  models: t.Optional(t.Nullable(t.Array(t.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 }))),
  /** ISO-8601 (checked by the service, which names the field); null: never expires. */
  expires_at: t.Optional(t.Nullable(t.String({ maxLength: 64 }))),
  rpm_limit: t.Optional(t.Nullable(t.Integer({ minimum: 1 }))),
  tpm_limit: t.Optional(t.Nullable(t.Integer({ minimum: 1 }))),
  budget: t.Optional(t.Nullable(t.Number({ minimum: 0 }))),
  currency: t.Optional(Currency),
  io_log: t.Optional(t.Boolean()),
};

// Unknown fields are refused (422 naming the field), so a mistyped name is never silently dropped.
export const KeyCreate = t.Object(fields, { additionalProperties: false });
export type KeyCreate = typeof KeyCreate.static;

export const KeyUpdate = t.Partial(KeyCreate);
export type KeyUpdate = typeof KeyUpdate.static;

export { ApiKeyView } from "../../../storage/schema";

/** The answer of create and rotate: the view plus the full key, shown this once. */
export const ApiKeyWithSecret = t.Composite([ApiKeyView, t.Object({ key: t.String() })]);
export type ApiKeyWithSecret = typeof ApiKeyWithSecret.static;

/** The CNY-per-USD rate that converts a cost into a key's currency (setting `usd_cny_rate`). */
export const ExchangeRate = t.Object({
  usd_cny_rate: t.Number({ exclusiveMinimum: 0, maximum: 1000 }),
});
export type ExchangeRate = typeof ExchangeRate.static;
