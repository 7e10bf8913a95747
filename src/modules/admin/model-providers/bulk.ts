import { t } from "elysia";
import { validationError } from "../../../core/errors";
import type { AdminDeps } from "../shared";

export const BulkLinks = t.Object(
  {
    provider_id: t.Integer({ minimum: 1 }),
    /** Upstream model ids, as the provider's model list names them. */
    provider_models: t.Array(t.String({ minLength: 1, maxLength: 300 }), { minItems: 1, maxItems: 500 }),
    /** The public name is prefix + upstream id + suffix. */
    prefix: t.Optional(t.String({ maxLength: 100 })),
    suffix: t.Optional(t.String({ maxLength: 100 })),
    tool_call: t.Optional(t.Boolean()),
    structured_output: t.Optional(t.Boolean()),
    image: t.Optional(t.Boolean()),
  },
  { additionalProperties: false },
);
export type BulkLinks = typeof BulkLinks.static;

const MAX_NAME = 200;

/**
 * Maps several upstream models of one provider at once, in one transaction: each gets a public model
 * named prefix + id + suffix (an existing model of that name is reused) and a link to the provider.
 * An upstream model already linked to that public model is skipped, not duplicated.
 */
export async function bulkLink(d: AdminDeps, input: BulkLinks) {
  if (!(await d.storage.providers.get(input.provider_id)))
    throw validationError("provider_id", `provider ${input.provider_id} does not exist`);
  const wanted = [...new Set(input.provider_models.map((m) => m.trim()))];
  if (wanted.some((m) => !m)) throw validationError("provider_models", "provider_models must not be blank");
  const plan = wanted.map((upstream) => ({
    upstream,
    name: `${input.prefix ?? ""}${upstream}${input.suffix ?? ""}`.trim(),
  }));
  const tooLong = plan.find((p) => p.name.length > MAX_NAME);
  if (tooLong)
    throw validationError("prefix", `model name "${tooLong.name.slice(0, 40)}…" is longer than ${MAX_NAME}`);

  const now = d.clock.now();
  const created: {
    model: string;
    model_id: number;
    link_id: number;
    new_model: boolean;
    provider_model: string;
  }[] = [];
  const skipped: { model: string; provider_model: string }[] = [];
  await d.storage.transaction(async (tx) => {
    const byName = new Map((await tx.models.all()).map((m) => [m.name, m]));
    for (const { upstream, name } of plan) {
      let model = byName.get(name);
      const isNew = !model;
      if (!model) {
        model = await tx.models.insert({ name }, now);
        byName.set(name, model);
      }
      const modelId = model.id;
      if ((await tx.links.idOf(modelId, input.provider_id, upstream)) !== undefined) {
        skipped.push({ model: name, provider_model: upstream });
        continue;
      }
      const link = await tx.links.insert(
        {
          model_id: modelId,
          provider_id: input.provider_id,
          provider_model: upstream,
          tool_call: input.tool_call,
          structured_output: input.structured_output,
          image: input.image,
        },
        now,
      );
      created.push({
        model: name,
        model_id: modelId,
        link_id: link.id,
        new_model: isNew,
        provider_model: upstream,
      });
    }
  });
  if (created.length) await d.onConfigChange();
  return { created, skipped };
}
