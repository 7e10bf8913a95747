import { t } from "elysia";
import { ProviderType, StringMap } from "../../../storage/schema";

const optionalText = t.Optional(t.Nullable(t.String({ maxLength: 2000 })));

const fields = {
  name: t.String({ minLength: 1, maxLength: 200 }),
  type: ProviderType,
  base_url: t.String({ minLength: 1, maxLength: 2000 }),
  api_key: t.String({ maxLength: 10000 }),
  anthropic_version: optionalText,
  console_url: optionalText,
  proxy_url: optionalText,
  error_matcher: optionalText,
  headers: t.Optional(t.Nullable(StringMap)),
  enabled: t.Optional(t.Boolean()),
};

// Unknown fields are refused (422 naming the field), so a mistyped name is never silently dropped.
export const ProviderCreate = t.Object(
  { ...fields, api_key: t.String({ maxLength: 10000, default: "" }) },
  { additionalProperties: false },
);
export type ProviderCreate = typeof ProviderCreate.static;

// Built from the plain fields, not from ProviderCreate: a default on api_key here would blank the
// stored key on every PUT that leaves it out.
export const ProviderUpdate = t.Partial(t.Object(fields, { additionalProperties: false }));
export type ProviderUpdate = typeof ProviderUpdate.static;
