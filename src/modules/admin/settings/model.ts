import { t } from "elysia";

export const SettingsUpdate = t.Object(
  { log_retention_days: t.Integer({ minimum: 0, maximum: 36_500, description: "0 keeps every log" }) },
  { additionalProperties: false },
);
export type SettingsUpdate = typeof SettingsUpdate.static;
