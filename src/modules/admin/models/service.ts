import { validationError } from "../../../core/errors";
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
  async list(d: AdminDeps) {
    const counts = new Map<number, { links: number; enabled_links: number }>();
    for (const l of await d.storage.links.all()) {
      const c = counts.get(l.model_id) ?? { links: 0, enabled_links: 0 };
      c.links++;
      if (l.enabled) c.enabled_links++;
      counts.set(l.model_id, c);
    }
    return (await d.storage.models.all()).map((m) => ({
      ...m,
      ...(counts.get(m.id) ?? { links: 0, enabled_links: 0 }),
    }));
  },

  get: async (d: AdminDeps, id: number) => found(await d.storage.models.get(id), "model", id),

  async create(d: AdminDeps, input: ModelCreate) {
    check(input);
    try {
      const m = await d.storage.models.insert(clean(input), d.clock.now());
      await d.onConfigChange();
      return m;
    } catch (err) {
      rethrowConstraint(err, `model "${input.name}"`, "name");
    }
  },

  async update(d: AdminDeps, id: number, patch: ModelUpdate) {
    check(patch);
    try {
      const m = found(await d.storage.models.update(id, clean(patch), d.clock.now()), "model", id);
      await d.onConfigChange();
      return m;
    } catch (err) {
      rethrowConstraint(err, `model "${patch.name}"`, "name");
    }
  },

  async remove(d: AdminDeps, id: number) {
    found((await d.storage.models.remove(id)) ? true : null, "model", id);
    await d.onConfigChange();
    return { ok: true as const };
  },
};
