const METHODS = ["generateContent", "streamGenerateContent", "countTokens"];

/** `GET /v1beta/models` in Gemini's shape. */
export function geminiModelList(models: readonly { id: string; created: number }[]) {
  return {
    models: models.map((m) => ({
      name: `models/${m.id}`,
      displayName: m.id,
      supportedGenerationMethods: METHODS,
    })),
  };
}
