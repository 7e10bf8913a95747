import { validationError } from "../../../core/errors";
import { modelProviders } from "../../../storage/repos";
import { type AdminDeps, found, rethrowConstraint } from "../shared";
import type { LinkCreate, LinkUpdate } from "./model";

// Fields a client must never inject through extra_body: they are the gateway's to set.
const RESERVED_EXTRA = ["model", "messages", "stream", "contents", "input"];

function check(input: LinkUpdate) {
  if (input.provider_model !== undefined && !input.provider_model.trim())
    throw validationError("provider_model", "provider_model must not be blank");
  for (const k of Object.keys(input.extra_body ?? {})) {
    if (RESERVED_EXTRA.includes(k)) throw validationError("extra_body", `extra_body must not set "${k}"`);
  }
}

export const linkService = {
  list: (d: AdminDeps, modelId?: number) =>
    modelId
      ? modelProviders.all(d.db, "WHERE model_id = $model_id", { model_id: modelId })
      : modelProviders.all(d.db),

  get: (d: AdminDeps, id: number) => found(modelProviders.get(d.db, id), "model-provider", id),

  create(d: AdminDeps, input: LinkCreate) {
    check(input);
    try {
      const l = modelProviders.insert(
        d.db,
        { ...input, provider_model: input.provider_model.trim() },
        d.clock.now(),
      );
      d.onConfigChange();
      return l;
    } catch (err) {
      rethrowConstraint(err, "this model-provider link", "provider_model");
    }
  },

  update(d: AdminDeps, id: number, patch: LinkUpdate) {
    check(patch);
    try {
      const l = found(
        modelProviders.update(
          d.db,
          id,
          { ...patch, provider_model: patch.provider_model?.trim() },
          d.clock.now(),
        ),
        "model-provider",
        id,
      );
      d.onConfigChange();
      return l;
    } catch (err) {
      rethrowConstraint(err, "this model-provider link", "provider_model");
    }
  },

  remove(d: AdminDeps, id: number) {
    found(modelProviders.remove(d.db, id) ? true : null, "model-provider", id);
    d.onConfigChange();
    return { ok: true as const };
  },
};
