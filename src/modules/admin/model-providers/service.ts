import { maskHeaders, unmaskHeaders } from "../../../core/secrets";
import type { ModelProvider } from "../../../storage/schema";
import { validationError } from "../../../core/errors";
import { type AdminDeps, found, rethrowConstraint } from "../shared";
import type { LinkCreate, LinkUpdate } from "./model";

// Fields a client must never inject through extra_body: they are the gateway's to set.
const RESERVED_EXTRA = ["model", "messages", "stream", "contents", "input"];

const PRICES = ["input_price", "cached_price", "cache_write_price", "output_price"] as const;

/**
 * Validates a link body. A model_id or provider_id that names nothing is a 422 on that field, not a
 * 404: the route exists, one field of the body is wrong, and the client needs to know which.
 */
async function check(d: AdminDeps, input: LinkUpdate) {
  if (input.provider_model !== undefined && !input.provider_model.trim())
    throw validationError("provider_model", "provider_model must not be blank");
  for (const k of Object.keys(input.extra_body ?? {})) {
    if (RESERVED_EXTRA.includes(k)) throw validationError("extra_body", `extra_body must not set "${k}"`);
  }
  if (input.model_id !== undefined && !(await d.storage.models.get(input.model_id)))
    throw validationError("model_id", `model ${input.model_id} does not exist`);
  if (input.provider_id !== undefined && !(await d.storage.providers.get(input.provider_id)))
    throw validationError("provider_id", `provider ${input.provider_id} does not exist`);
}

function clean(input: LinkUpdate) {
  const out: Record<string, unknown> = {
    ...input,
    provider_model: input.provider_model?.trim(),
    headers: input.headers === null ? {} : input.headers,
    extra_body: input.extra_body === null ? {} : input.extra_body,
  };
  for (const k of PRICES) if (input[k] === null) out[k] = 0;
  return out;
}

const DUPLICATE = "a link of this model to this provider model";

/** A link as the API shows it: credential-like custom header values masked. */
const toPublicLink = (l: ModelProvider): ModelProvider => ({ ...l, headers: maskHeaders(l.headers) });

export const linkService = {
  list: async (d: AdminDeps, modelId?: number) =>
    (modelId !== undefined ? await d.storage.links.ofModel(modelId) : await d.storage.links.all()).map(
      toPublicLink,
    ),

  get: async (d: AdminDeps, id: number) =>
    toPublicLink(found(await d.storage.links.get(id), "model-provider", id)),

  async create(d: AdminDeps, input: LinkCreate) {
    await check(d, input);
    try {
      const l = await d.storage.links.insert(clean(input), d.clock.now());
      await d.onConfigChange();
      return toPublicLink(l);
    } catch (err) {
      rethrowConstraint(err, DUPLICATE, "provider_model");
    }
  },

  async update(d: AdminDeps, id: number, patch: LinkUpdate) {
    const current = found(await d.storage.links.get(id), "model-provider", id);
    await check(d, patch);
    // Masked header values sent back as shown mean "keep the stored value".
    const headers = patch.headers ? unmaskHeaders(patch.headers, current.headers) : patch.headers;
    try {
      const l = found(
        await d.storage.links.update(id, clean({ ...patch, headers }), d.clock.now()),
        "model-provider",
        id,
      );
      await d.onConfigChange();
      return toPublicLink(l);
    } catch (err) {
      rethrowConstraint(err, DUPLICATE, "provider_model");
    }
  },

  async remove(d: AdminDeps, id: number) {
    found((await d.storage.links.remove(id)) ? true : null, "model-provider", id);
    await d.onConfigChange();
    return { ok: true as const };
  },
};
