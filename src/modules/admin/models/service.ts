import { validationError } from "../../../core/errors";
import { modelProviders, models } from "../../../storage/repos";
import { type AdminDeps, found, rethrowConstraint } from "../shared";
import type { ModelCreate, ModelUpdate } from "./model";

function check(input: ModelUpdate) {
  if (input.name !== undefined && !input.name.trim()) throw validationError("name", "name must not be blank");
}

// null clears the remark; names are stored trimmed.
const clean = (input: ModelUpdate) => ({
  ...input,
  name: input.name?.trim(),
  remark: input.remark === null ? "" : input.remark,
});

export const modelService = {
  /** Every model with how many links it has (`links`) and how many of them are enabled. */
  list(d: AdminDeps) {
    const counts = new Map<number, { links: number; enabled_links: number }>();
    for (const l of modelProviders.all(d.db)) {
      const c = counts.get(l.model_id) ?? { links: 0, enabled_links: 0 };
      c.links++;
      if (l.enabled) c.enabled_links++;
      counts.set(l.model_id, c);
    }
    return models.all(d.db).map((m) => ({ ...m, ...(counts.get(m.id) ?? { links: 0, enabled_links: 0 }) }));
  },

  get: (d: AdminDeps, id: number) => found(models.get(d.db, id), "model", id),

  create(d: AdminDeps, input: ModelCreate) {
    check(input);
    try {
      const m = models.insert(d.db, clean(input), d.clock.now());
      d.onConfigChange();
      return m;
    } catch (err) {
      rethrowConstraint(err, `model "${input.name}"`, "name");
    }
  },

  update(d: AdminDeps, id: number, patch: ModelUpdate) {
    check(patch);
    try {
      const m = found(models.update(d.db, id, clean(patch), d.clock.now()), "model", id);
      d.onConfigChange();
      return m;
    } catch (err) {
      rethrowConstraint(err, `model "${patch.name}"`, "name");
    }
  },

  remove(d: AdminDeps, id: number) {
    found(models.remove(d.db, id) ? true : null, "model", id);
    d.onConfigChange();
    return { ok: true as const };
  },
};
