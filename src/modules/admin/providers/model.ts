import { t } from "elysia";
import { ProviderType, StringMap } from "../../../storage/schema";

const optionalText = t.Optional(t.Nullable(t.String({ maxLength: 2000 })));

export const ProviderCreate = t.Object({
  name: t.String({ minLength: 1, maxLength: 200 }),
  type: ProviderType,
  base_url: t.String({ minLength: 1, maxLength: 2000 }),
  api_key: t.String({ maxLength: 10000, default: "" }),
  anthropic_version: optionalText,
  console_url: optionalText,
  proxy_url: optionalText,
  error_matcher: optionalText,
  headers: t.Optional(StringMap),
  enabled: t.Optional(t.Boolean()),
});
export type ProviderCreate = typeof ProviderCreate.static;

export const ProviderUpdate = t.Partial(ProviderCreate);
export type ProviderUpdate = typeof ProviderUpdate.static;
