import { t } from "elysia";

export const LogQuery = t.Object({
  page: t.Optional(t.Numeric({ minimum: 1, default: 1 })),
  page_size: t.Optional(t.Numeric({ minimum: 1, maximum: 500, default: 20 })),
  model: t.Optional(t.String()),
  provider: t.Optional(t.String({ description: "provider id or name" })),
  // `default: undefined`, because t.UnionEnum defaults to its first value and would filter every list by it.
  status: t.Optional(t.UnionEnum(["success", "error", "cancelled"], { default: undefined })),
  style: t.Optional(
    t.UnionEnum(["openai", "openai-responses", "anthropic", "gemini"], { default: undefined }),
  ),
  upstream_type: t.Optional(
    t.UnionEnum(["openai", "openai-responses", "anthropic", "gemini"], { default: undefined }),
  ),
  key_id: t.Optional(t.Numeric({ minimum: 1 })),
  user_agent: t.Optional(t.String({ description: "part of the client's User-Agent (case-insensitive)" })),
  trace_id: t.Optional(t.String()),
  session_id: t.Optional(t.String()),
  from: t.Optional(t.String({ description: "ISO-8601 time or epoch ms" })),
  to: t.Optional(t.String({ description: "ISO-8601 time or epoch ms" })),
});
export type LogQuery = typeof LogQuery.static;
