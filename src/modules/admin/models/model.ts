import { t } from "elysia";
import { Strategy } from "../../../storage/schema";

const fields = {
  name: t.String({ minLength: 1, maxLength: 200 }),
  remark: t.Optional(t.Nullable(t.String({ maxLength: 2000 }))),
  strategy: t.Optional(Strategy),
  max_attempts: t.Optional(t.Integer({ minimum: 1, maximum: 20 })),
  timeout_s: t.Optional(t.Integer({ minimum: 1, maximum: 3600 })),
  breaker: t.Optional(t.Boolean()),
  display_order: t.Optional(t.Integer()),
};

// Unknown fields are refused (422 naming the field), so a mistyped name is never silently dropped.
export const ModelCreate = t.Object(fields, { additionalProperties: false });
export type ModelCreate = typeof ModelCreate.static;

export const ModelUpdate = t.Partial(ModelCreate);
export type ModelUpdate = typeof ModelUpdate.static;
