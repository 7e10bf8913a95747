/**
 * OpenAI `/v1/embeddings` served by a Gemini link: the inputs become one `batchEmbedContents` call, the
 * vectors come back as an OpenAI embedding list (float arrays, or base64 of little-endian float32 when the
 * client asked for `encoding_format: "base64"`, as the OpenAI SDKs do by default).
 */
import { GatewayError } from "../../core/errors";
import { count, isObject } from "../json";
import type { Usage } from "../types";

/** The batchEmbedContents body for an OpenAI embeddings request. Token-array inputs cannot be carried. */
export function toGeminiEmbedRequest(
  body: Record<string, unknown>,
  model: string,
  extraBody: Record<string, unknown>,
): Record<string, unknown> {
  const inputs = typeof body.input === "string" ? [body.input] : (body.input as unknown[]);
  const dims = typeof body.dimensions === "number" ? body.dimensions : undefined;
  const requests = inputs.map((input, i) => {
    if (typeof input !== "string")
      throw new GatewayError(
        400,
        "unsupported",
        "Gemini embeds text only: token-array inputs cannot be sent",
        `input[${i}]`,
      );
    return {
      model: `models/${model}`,
      content: { parts: [{ text: input }] },
      ...(dims !== undefined ? { outputDimensionality: dims } : {}),
    };
  });
  return { requests, ...extraBody };
}

function base64Floats(values: number[]): string {
  const floats = new Float32Array(values);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString("base64");
}

/**
 * The OpenAI embedding list of a batchEmbedContents answer, and its usage: the upstream's
 * `usageMetadata.promptTokenCount` when it sent one, else an estimate (marked `estimated`).
 * Throws when the answer has no embedding per input.
 */
export function fromGeminiEmbedResponse(
  res: Record<string, unknown>,
  opts: { model: string; inputs: number; base64: boolean; estimate: number },
): { body: unknown; usage: Usage; estimated: boolean } {
  const embeddings = res.embeddings;
  if (!Array.isArray(embeddings) || embeddings.length !== opts.inputs)
    throw new Error(
      `expected ${opts.inputs} embeddings, got ${Array.isArray(embeddings) ? embeddings.length : "none"}`,
    );
  const data = embeddings.map((e, index) => {
    const values = isObject(e) && Array.isArray(e.values) ? (e.values as number[]) : undefined;
    if (!values) throw new Error(`embedding ${index} has no values`);
    return { object: "embedding", index, embedding: opts.base64 ? base64Floats(values) : values };
  });
  const reported = isObject(res.usageMetadata) ? count(res.usageMetadata.promptTokenCount) : 0;
  const tokens = reported || opts.estimate;
  return {
    body: {
      object: "list",
      data,
      model: opts.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
    usage: { input: tokens, cachedRead: 0, cacheWrite: 0, output: 0, reasoning: 0 },
    estimated: reported === 0,
  };
}
