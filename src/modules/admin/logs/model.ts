import { t } from "elysia";
import { ProviderType, RecordStatus } from "../../../storage/schema";

export const LogQuery = t.Object({
  page: t.Optional(t.Numeric({ minimum: 1, default: 1 })),
  page_size: t.Optional(t.Numeric({ minimum: 1, maximum: 500, default: 20 })),
  model: t.Optional(t.String()),
  provider: t.Optional(t.String({ description: "provider id or name" })),
  status: t.Optional(RecordStatus),
  style: t.Optional(ProviderType),
  upstream_type: t.Optional(ProviderType),
  key_id: t.Optional(t.Numeric({ minimum: 1 })),
  user_agent: t.Optional(t.String({ description: "part of the client's User-Agent (case-insensitive)" })),
  trace_id: t.Optional(t.String()),
  session_id: t.Optional(t.String()),
  from: t.Optional(t.String({ description: "ISO-8601 time or epoch ms" })),
  to: t.Optional(t.String({ description: "ISO-8601 time or epoch ms" })),
});
export type LogQuery = typeof LogQuery.static;
