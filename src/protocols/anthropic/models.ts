/** `GET /v1/models` in Anthropic's shape, with its cursor fields for a single, complete page. */
export function anthropicModelList(models: readonly { id: string; created: number }[]) {
  return {
    data: models.map((m) => ({
      type: "model",
      id: m.id,
      display_name: m.id,
      created_at: new Date(m.created).toISOString(),
    })),
    has_more: false,
    first_id: models[0]?.id ?? null,
    last_id: models[models.length - 1]?.id ?? null,
  };
}
