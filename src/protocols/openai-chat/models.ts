/** `GET /v1/models` in OpenAI's shape; `created` goes out in seconds as OpenAI sends it. */
export function openAIModelList(models: readonly { id: string; created: number }[]) {
  return {
    object: "list",
    data: models.map((m) => ({
      id: m.id,
      object: "model",
      created: Math.floor(m.created / 1000),
      owned_by: "llmio",
    })),
  };
}
