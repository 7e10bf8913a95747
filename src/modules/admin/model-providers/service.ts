import { maskHeaders, unmaskHeaders } from "../../../core/secrets";
import type { ModelProvider } from "../../../storage/schema";
import { validationError } from "../../../core/errors";
import { modelProviders, models, providers } from "../../../storage/repos";
import { type AdminDeps, found, rethrowConstraint } from "../shared";
import type { LinkCreate, LinkUpdate } from "./model";

// Fields a client must never inject through extra_body: they are the gateway's to set.
const RESERVED_EXTRA = ["model", "messages", "stream", "contents", "input"];

const PRICES = ["input_price", "cached_price", "cache_write_price", "output_price"] as const;

/**
 * Validates a link body. A model_id or provider_id that names nothing is a 422 on that field, not a
 * 404: the route exists, one field of the body is wrong, and the client needs to know which.
 */
function check(d: AdminDeps, input: LinkUpdate) {
  if (input.provider_model !== undefined && !input.provider_model.trim())
    throw validationError("provider_model", "provider_model must not be blank");
  for (const k of Object.keys(input.extra_body ?? {})) {
    if (RESERVED_EXTRA.includes(k)) throw validationError("extra_body", `extra_body must not set "${k}"`);
  }
  if (input.model_id !== undefined && !models.get(d.db, input.model_id))
    throw validationError("model_id", `model ${input.model_id} does not exist`);
  if (input.provider_id !== undefined && !providers.get(d.db, input.provider_id))
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
  list: (d: AdminDeps, modelId?: number) =>
    (modelId !== undefined
      ? modelProviders.all(d.db, "WHERE model_id = $model_id", { model_id: modelId })
      : modelProviders.all(d.db)
    ).map(toPublicLink),

  get: (d: AdminDeps, id: number) => toPublicLink(found(modelProviders.get(d.db, id), "model-provider", id)),

  create(d: AdminDeps, input: LinkCreate) {
    check(d, input);
    try {
      const l = modelProviders.insert(d.db, clean(input), d.clock.now());
      d.onConfigChange();
      return toPublicLink(l);
    } catch (err) {
      rethrowConstraint(err, DUPLICATE, "provider_model");
    }
  },

  update(d: AdminDeps, id: number, patch: LinkUpdate) {
    const current = found(modelProviders.get(d.db, id), "model-provider", id);
    check(d, patch);
    // Masked header values sent back as shown mean "keep the stored value".
    const headers = patch.headers ? unmaskHeaders(patch.headers, current.headers) : patch.headers;
    try {
      const l = found(
        modelProviders.update(d.db, id, clean({ ...patch, headers }), d.clock.now()),
        "model-provider",
        id,
      );
      d.onConfigChange();
      return toPublicLink(l);
    } catch (err) {
      rethrowConstraint(err, DUPLICATE, "provider_model");
    }
  },

  remove(d: AdminDeps, id: number) {
    found(modelProviders.remove(d.db, id) ? true : null, "model-provider", id);
    d.onConfigChange();
    return { ok: true as const };
  },
};
