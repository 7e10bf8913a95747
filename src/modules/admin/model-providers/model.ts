import { t } from "elysia";
import { Currency, JsonObject, StringMap } from "../../../storage/schema";

const price = t.Optional(t.Number({ minimum: 0 }));

export const LinkCreate = t.Object({
  model_id: t.Integer({ minimum: 1 }),
  provider_id: t.Integer({ minimum: 1 }),
  provider_model: t.String({ minLength: 1, maxLength: 300 }),
  weight: t.Optional(t.Integer({ minimum: 0, maximum: 1_000_000 })),
  priority: t.Optional(t.Integer()),
  tool_call: t.Optional(t.Boolean()),
  structured_output: t.Optional(t.Boolean()),
  image: t.Optional(t.Boolean()),
  with_header: t.Optional(t.Boolean()),
  headers: t.Optional(StringMap),
  extra_body: t.Optional(JsonObject),
  enabled: t.Optional(t.Boolean()),
  input_price: price,
  cached_price: price,
  cache_write_price: price,
  output_price: price,
  currency: t.Optional(Currency),
});
export type LinkCreate = typeof LinkCreate.static;

export const LinkUpdate = t.Partial(LinkCreate);
export type LinkUpdate = typeof LinkUpdate.static;

export const LinkQuery = t.Object({ model_id: t.Optional(t.Numeric({ minimum: 1 })) });
