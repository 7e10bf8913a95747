import { t } from "elysia";
import { Currency, JsonObject, StringMap } from "../../../storage/schema";

// null clears a price back to 0.
const price = t.Optional(t.Nullable(t.Number({ minimum: 0 })));

// Unknown fields are refused (422 naming the field), so a mistyped name is never silently dropped.
export const LinkCreate = t.Object(
  {
    model_id: t.Integer({ minimum: 1 }),
    provider_id: t.Integer({ minimum: 1 }),
    provider_model: t.String({ minLength: 1, maxLength: 300 }),
    weight: t.Optional(t.Integer({ minimum: 0, maximum: 1_000_000 })),
    priority: t.Optional(t.Integer()),
    tool_call: t.Optional(t.Boolean()),
    structured_output: t.Optional(t.Boolean()),
    image: t.Optional(t.Boolean()),
    with_header: t.Optional(t.Boolean()),
    // null clears the extra headers / extra body.
    headers: t.Optional(t.Nullable(StringMap)),
    extra_body: t.Optional(t.Nullable(JsonObject)),
    enabled: t.Optional(t.Boolean()),
    input_price: price,
    cached_price: price,
    cache_write_price: price,
    output_price: price,
    currency: t.Optional(Currency),
  },
  { additionalProperties: false },
);
export type LinkCreate = typeof LinkCreate.static;

export const LinkUpdate = t.Partial(LinkCreate);
export type LinkUpdate = typeof LinkUpdate.static;

export const LinkQuery = t.Object({ model_id: t.Optional(t.Integer()) });
